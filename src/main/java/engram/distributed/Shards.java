package engram.distributed;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/** A replica's share of a batch. */
public final class Shards {

  private Shards() {}

  /**
   * Rows {@code [ceil(k n / count), ceil((k + 1) n / count))} of {@code x [n, ...]}, so the {@code
   * count} shards cover the batch in order and differ in size by at most one row, the larger ones
   * first (replica 0 never gets an empty shard), whatever n is at run time. The shard keeps {@code
   * x}'s static shape beyond the batch dimension.
   */
  public static <U extends TType> Operand<U> rows(Ops tf, Operand<U> x, int k, int count) {
    int rank = x.shape().numDimensions();
    if (rank < 1) {
      throw new IllegalArgumentException("cannot shard a scalar: " + x.op().name());
    }
    Operand<TInt32> n =
        tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> from = ceilDiv(tf, tf.math.mul(n, tf.constant(k)), count);
    Operand<TInt32> to = ceilDiv(tf, tf.math.mul(n, tf.constant(k + 1)), count);
    int[] zeros = new int[rank - 1];
    int[] all = new int[rank - 1];
    Arrays.fill(all, -1);
    Operand<TInt32> begin = tf.concat(List.of(from, tf.constant(zeros)), tf.constant(0));
    Operand<TInt32> size =
        tf.concat(List.of(tf.math.sub(to, from), tf.constant(all)), tf.constant(0));
    Operand<U> rows = tf.slice(x, begin, size);
    // The slice's size is computed, so its static shape is lost; the reshape restores it.
    long[] shape = x.shape().asArray();
    shape[0] = -1;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        return rows;
      }
    }
    return tf.reshape(rows, tf.constant(shape));
  }

  private static Operand<TInt32> ceilDiv(Ops tf, Operand<TInt32> a, int b) {
    return tf.math.floorDiv(tf.math.add(a, tf.constant(b - 1)), tf.constant(b));
  }
}
