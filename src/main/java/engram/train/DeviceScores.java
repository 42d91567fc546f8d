package engram.train;

import engram.tasks.Task;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Training scores that wait on the device ({@code train.fetchEvery}): each step writes its mean
 * loss, scored count and correct count into its slot of a {@code [slots, 3]} float64 buffer, and
 * the trainer fetches the filled slots every few steps instead of three scalars after every step.
 *
 * <p>float64 holds a float32 or bfloat16 loss and any count below 2^53 exactly, so the fetched
 * numbers are the ones a per-step fetch returns, and an epoch's sums come out the same. The buffer
 * is a resource variable, which checkpoints skip.
 */
final class DeviceScores {

  private final int slots;
  private final Placeholder<TInt32> slot;
  private final Op init;
  private final Op record;
  private final Operand<TFloat64> read;

  <T extends TFloating> DeviceScores(Ops tf, Task.Scores<T> scores, int slots) {
    if (slots < 2) {
      throw new IllegalArgumentException("device scores need at least 2 slots, got " + slots);
    }
    this.slots = slots;
    Ops s = tf.withSubScope("scores");
    Operand<?> buffer =
        s.withName("buffer")
            .varHandleOp(
                TFloat64.class,
                Shape.of(slots, 3),
                org.tensorflow.op.core.VarHandleOp.sharedName("device_scores"));
    init =
        s.withName("init")
            .assignVariableOp(buffer, s.zeros(s.constant(new long[] {slots, 3}), TFloat64.class));
    slot = s.withName("slot").placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
    List<Operand<TFloat64>> row = new ArrayList<>();
    scores.fetches(true).forEach(x -> row.add(s.dtypes.cast(x, TFloat64.class)));
    Operand<TFloat64> rows = s.expandDims(s.stack(row), s.constant(0)); // [1, 3]
    record =
        s.withName("record")
            .resourceScatterUpdate(buffer, s.reshape(slot, s.constant(new int[] {1})), rows);
    read =
        s.withControlDependencies(List.of(record))
            .withName("read")
            .readVariableOp(buffer, TFloat64.class);
  }

  /** Slots in the buffer: the most steps between two fetches. */
  int slots() {
    return slots;
  }

  /** Zeroes the buffer; run once before the first step (a resource variable must hold a value). */
  void initialize(Session session) {
    session.runner().addTarget(init).run();
  }

  /**
   * Adds to {@code runner} what a step does with its scores: write them into {@code slot}, and with
   * {@code fetch} also fetch the buffer after that write (the runner's next fetch).
   */
  void add(Session.Runner runner, TInt32 slotTensor, boolean fetch) {
    runner.feed(slot, slotTensor);
    if (fetch) {
      runner.fetch(read);
    } else {
      runner.addTarget(record);
    }
  }

  /** The results of slots {@code 0..last} from a fetched buffer. */
  static List<TrainingGraph.BatchResult> results(Tensor buffer, int last) {
    double[] v = new double[(int) buffer.shape().size()];
    ((TFloat64) buffer).asRawTensor().data().asDoubles().read(v);
    List<TrainingGraph.BatchResult> out = new ArrayList<>(last + 1);
    for (int k = 0; k <= last; k++) {
      out.add(
          new TrainingGraph.BatchResult(
              v[3 * k], Math.round(v[3 * k + 2]), Math.round(v[3 * k + 1])));
    }
    return out;
  }
}
