package engram.distributed;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.types.family.TFloating;

/**
 * Sums tensors over every replica of a group with TensorFlow's {@code CollectiveReduceV2}, packed:
 * the tensors are flattened and concatenated into a few buffers, one collective per buffer.
 *
 * <p>Every replica (a device of this process or of another worker) builds the same call, with the
 * same group and the same instance keys in the same order; each gets the sums back on its own
 * device. The op has no gradient, so it reduces gradients after they are computed, never inside a
 * differentiated forward pass (distributed.md §2).
 */
public final class AllReduce {

  /**
   * A group of replicas that reduce together.
   *
   * @param size replicas in the group, across all processes
   * @param key the group's key, the same on every replica
   * @param timeoutSeconds a collective waiting longer fails (0 = wait forever)
   * @param communicationHint {@code auto}, {@code ring} or {@code nccl}
   */
  public record Group(int size, int key, float timeoutSeconds, String communicationHint) {

    public Group {
      if (size < 1) {
        throw new IllegalArgumentException("a replica group needs >= 1 member, got " + size);
      }
    }
  }

  /** Buffers hold at most this many elements (32 Mi: 128 MiB of float32). */
  public static final long BUFFER_ELEMENTS = 32L << 20;

  private AllReduce() {}

  /**
   * The sums of {@code values} over the group, in the same order and shapes. Values of fully known
   * shape are packed into buffers of at most {@code bufferElements} (a larger value gets a buffer
   * of its own); buffer i uses instance key {@code firstInstanceKey + i}.
   */
  public static <T extends TFloating> List<Operand<T>> sum(
      Ops tf, List<Operand<T>> values, Group group, int firstInstanceKey, long bufferElements) {
    List<Operand<T>> out = new ArrayList<>();
    int at = 0;
    int instanceKey = firstInstanceKey;
    while (at < values.size()) {
      long elements = 0;
      int end = at;
      do {
        elements += size(values.get(end));
        end++;
      } while (end < values.size() && elements + size(values.get(end)) <= bufferElements);
      out.addAll(sumPacked(tf, values.subList(at, end), group, instanceKey++));
      at = end;
    }
    return out;
  }

  private static <T extends TFloating> List<Operand<T>> sumPacked(
      Ops tf, List<Operand<T>> values, Group group, int instanceKey) {
    Operand<T> buffer;
    if (values.size() == 1) {
      buffer = tf.reshape(values.get(0), tf.constant(new long[] {-1}));
    } else {
      List<Operand<T>> flat = new ArrayList<>();
      values.forEach(v -> flat.add(tf.reshape(v, tf.constant(new long[] {-1}))));
      buffer = tf.concat(flat, tf.constant(0));
    }
    Operand<T> summed = collectiveSum(tf, buffer, group, instanceKey);
    List<Operand<T>> out = new ArrayList<>();
    if (values.size() == 1) {
      out.add(tf.reshape(summed, tf.constant(values.get(0).shape().asArray())));
      return out;
    }
    long[] sizes = values.stream().mapToLong(AllReduce::size).toArray();
    List<Output<T>> parts =
        tf.splitV(summed, tf.constant(sizes), tf.constant(0), (long) values.size()).output();
    for (int i = 0; i < values.size(); i++) {
      out.add(tf.reshape(parts.get(i), tf.constant(values.get(i).shape().asArray())));
    }
    return out;
  }

  /** {@code CollectiveReduceV2} with merge {@code Add}, final {@code Id}: the plain sum. */
  private static <T extends TFloating> Operand<T> collectiveSum(
      Ops tf, Operand<T> buffer, Group group, int instanceKey) {
    Scope scope = tf.scope();
    Output<T> sum =
        scope
            .env()
            .opBuilder("CollectiveReduceV2", scope.makeOpName("CollectiveReduceV2"), scope)
            .addInput(buffer.asOutput())
            .addInput(tf.constant(group.size()).asOutput())
            .addInput(tf.constant(group.key()).asOutput())
            .addInput(tf.constant(instanceKey).asOutput())
            .addInputList(new Output<?>[0])
            .setAttr("merge_op", "Add")
            .setAttr("final_op", "Id")
            .setAttr("communication_hint", group.communicationHint())
            .setAttr("timeout_seconds", group.timeoutSeconds())
            .build()
            .output(0);
    return sum;
  }

  private static long size(Operand<?> v) {
    Shape shape = v.shape();
    if (shape.isUnknown() || shape.hasUnknownDimension()) {
      throw new IllegalArgumentException(
          "all-reduce packs tensors of known shape; " + v.op().name() + " has shape " + shape);
    }
    return shape.size();
  }
}
