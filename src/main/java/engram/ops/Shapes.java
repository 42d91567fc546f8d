package engram.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;

/** Shape helpers: vectors whose leading (batch) dimension is only known when the graph runs. */
public final class Shapes {

  private Shapes() {}

  /** The batch size of {@code x}, i.e. {@code shape(x)[0]}, as a 1-element int32 vector. */
  public static Operand<TInt32> batchSize(Ops tf, Operand<?> x) {
    return tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
  }

  /**
   * Every axis of {@code x}, {@code [0, 1, .., rank-1]}, for a full reduction; {@code unknownRank}
   * is the error when x's rank is not known while the graph is built.
   */
  public static int[] allAxes(Operand<?> x, String unknownRank) {
    int rank = x.shape().numDimensions();
    if (rank < 0) {
      throw new IllegalArgumentException(unknownRank);
    }
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return axes;
  }

  /** The shape {@code [B, dims...]} where {@code batchSize} is a 1-element int32 vector. */
  public static Operand<TInt32> withBatch(Ops tf, Operand<TInt32> batchSize, int... dims) {
    return tf.concat(List.of(batchSize, tf.constant(dims)), tf.constant(0));
  }
}
