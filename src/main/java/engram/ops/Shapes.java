package engram.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;

/** Shape vectors whose leading (batch) dimension is only known when the graph runs. */
public final class Shapes {

  private Shapes() {}

  /** The batch size of {@code x}, i.e. {@code shape(x)[0]}, as a 1-element int32 vector. */
  public static Operand<TInt32> batchSize(Ops tf, Operand<?> x) {
    return tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
  }

  /** The shape {@code [B, dims...]} where {@code batchSize} is a 1-element int32 vector. */
  public static Operand<TInt32> withBatch(Ops tf, Operand<TInt32> batchSize, int... dims) {
    return tf.concat(List.of(batchSize, tf.constant(dims)), tf.constant(0));
  }
}
