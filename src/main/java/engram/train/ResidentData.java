package engram.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Device-resident data ({@code train.dataOnDevice}): the examples of every split a run reads, put
 * on the graph's device once, so that a step copies only its batch's row numbers there and gathers
 * the rows inside the graph. One store per fed tensor (each input and the targets), {@code
 * capacity} rows each.
 *
 * <p>Each store sits behind the placeholder it replaces as that placeholder's default ({@code
 * PlaceholderWithDefault}): feeding the placeholder as before still works and skips the store, so
 * evaluation of data the store does not hold and every other caller are unchanged.
 *
 * <p>The stores are resource variables, which TF-Java's checkpoint saver skips: checkpoints hold
 * the model, not the data.
 */
final class ResidentData {

  /** Rows loaded per run while filling the stores: bounds the host tensors a load creates. */
  static final long LOAD_BYTES = 32L << 20;

  private final long capacity;
  private final Placeholder<TInt32> rows;
  private final Placeholder<TInt32> loadRows;
  private final List<Store> stores = new ArrayList<>();

  /**
   * One store: its variable, the op that zeroes it (a resource variable must hold a value before
   * rows are scattered into it), the placeholder a load feeds and the op that scatters those rows.
   */
  private record Store(Operand<?> handle, Op init, Placeholder<?> chunk, Op scatter) {}

  ResidentData(Ops tf, long capacity) {
    if (capacity <= 0 || capacity > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("resident rows must be in 1..2^31-1, got " + capacity);
    }
    this.capacity = capacity;
    Ops scope = tf.withSubScope("resident");
    this.rows = scope.withName("rows").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    this.loadRows =
        scope.withName("load_rows").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
  }

  /**
   * A store for what {@code fed} (a placeholder of shape {@code [-1, ...]}) takes, and in its place
   * the tensor the graph should read, named {@code <name>_or_resident}: the fed batch when fed,
   * else the rows {@link #rows()} names.
   */
  <T extends TType> Operand<T> behind(Ops tf, Placeholder<T> fed, String name) {
    Shape batch = fed.shape();
    long[] dims = batch.asArray();
    dims[0] = capacity;
    Ops scope = tf.withSubScope("resident").withSubScope(name);
    Class<T> type = fed.type();
    // A resource variable without a shared name is one shared resource for all of them.
    Operand<?> handle =
        scope
            .withName("store")
            .varHandleOp(
                type,
                Shape.of(dims),
                org.tensorflow.op.core.VarHandleOp.sharedName("resident_" + name));
    Op init =
        scope.withName("init").assignVariableOp(handle, scope.zeros(scope.constant(dims), type));
    Placeholder<T> chunk = scope.withName("chunk").placeholder(type, Placeholder.shape(batch));
    Op scatter = scope.withName("load").resourceScatterUpdate(handle, loadRows, chunk);
    stores.add(new Store(handle, init, chunk, scatter));
    Operand<T> gathered = scope.withName("gather").resourceGather(handle, rows, type);
    return tf.withName(name + "_or_resident").placeholderWithDefault(gathered, batch);
  }

  /** Bytes one example of {@code set} takes in the stores: its inputs and targets, 4 bytes each. */
  static long rowBytes(engram.data.Dataset set) {
    long bytes = 4L * set.target().size();
    for (engram.data.Feature f : set.inputs()) {
      bytes += 4L * f.size();
    }
    return bytes;
  }

  /** Bytes {@code sets} take in the stores. */
  static long bytes(List<engram.data.Dataset> sets) {
    return sets.stream().mapToLong(d -> d.size() * rowBytes(d)).sum();
  }

  /** The row numbers a step feeds, {@code [n]}: which rows its batch is. */
  Placeholder<TInt32> rows() {
    return rows;
  }

  long capacity() {
    return capacity;
  }

  /** Zeroes every store; run once before the first {@link #load}. */
  void initialize(Session session) {
    Session.Runner runner = session.runner();
    stores.forEach(s -> runner.addTarget(s.init()));
    runner.run();
  }

  /**
   * Writes {@code tensors} (one per store, in the order the stores were made, each {@code n} rows)
   * into rows {@code [first, first + n)}.
   */
  void load(Session session, long first, List<Tensor> tensors) {
    if (tensors.size() != stores.size()) {
      throw new IllegalArgumentException(
          "one tensor per store: " + stores.size() + " stores, " + tensors.size() + " tensors");
    }
    int n = (int) tensors.get(0).shape().get(0);
    if (first < 0 || first + n > capacity) {
      throw new IllegalArgumentException(
          "rows " + first + ".." + (first + n) + " are outside the store's " + capacity);
    }
    int[] at = new int[n];
    Arrays.setAll(at, i -> (int) first + i);
    try (TInt32 where = TInt32.vectorOf(at)) {
      Session.Runner runner = session.runner().feed(loadRows, where);
      for (int i = 0; i < stores.size(); i++) {
        runner.feed(stores.get(i).chunk(), tensors.get(i)).addTarget(stores.get(i).scatter());
      }
      runner.run();
    }
  }
}
