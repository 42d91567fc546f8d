package engram.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * Normalisations with the exact op association of the Python references, so that float32 results
 * agree to the last bit where the kernels do.
 */
public final class Norms {

  private Norms() {}

  /**
   * Keras 3 {@code LayerNormalization} over the last axis (center and scale on):
   *
   * <pre>
   *   mean = reduce_mean(x, -1)
   *   var  = reduce_mean(squared_difference(x, stop_gradient(mean)), -1)   (tf.nn.moments)
   *   inv  = rsqrt(var + eps) * gamma
   *   y    = x * inv + (-mean * inv + beta)
   * </pre>
   *
   * The association {@code x*inv + (-mean*inv + beta)} is Keras', not the textbook {@code (x -
   * mean)*inv + beta}; the two differ in the last float32 bit.
   */
  public static <T extends TFloating> Operand<T> layerNorm(
      Ops tf, Operand<T> x, Operand<T> gamma, Operand<T> beta, double epsilon) {
    if (Scalars.reduced(x.type())) { // mixed precision: the statistics in float32
      Class<T> type = x.type();
      return tf.dtypes.cast(
          layerNorm(
              tf,
              tf.dtypes.cast(x, TFloat32.class),
              tf.dtypes.cast(gamma, TFloat32.class),
              tf.dtypes.cast(beta, TFloat32.class),
              epsilon),
          type);
    }
    Operand<T> mean = tf.math.mean(x, tf.constant(-1), Mean.keepDims(true));
    Operand<T> variance =
        tf.math.mean(
            tf.math.squaredDifference(x, tf.stopGradient(mean)),
            tf.constant(-1),
            Mean.keepDims(true));
    Operand<T> inv =
        tf.math.mul(tf.math.rsqrt(tf.math.add(variance, Scalars.of(tf, epsilon, x.type()))), gamma);
    Operand<T> shift = tf.math.add(tf.math.mul(tf.math.neg(mean), inv), beta);
    return tf.math.add(tf.math.mul(x, inv), shift);
  }

  /** Softmax over the last axis; a 16-bit input's is taken in float32 (mixed precision). */
  public static <T extends TFloating> Operand<T> softmax(Ops tf, Operand<T> x) {
    return Scalars.reduced(x.type())
        ? tf.dtypes.cast(tf.nn.softmax(tf.dtypes.cast(x, TFloat32.class)), x.type())
        : tf.nn.softmax(x);
  }

  /**
   * TensorFlow's {@code tf.nn.l2_normalize} over the last axis: {@code x * rsqrt(max(sum(x^2, -1),
   * epsilon))}.
   */
  public static <T extends TFloating> Operand<T> l2Normalize(Ops tf, Operand<T> x, double epsilon) {
    Operand<T> squareSum = tf.sum(tf.math.square(x), tf.constant(-1), Sum.keepDims(true));
    return tf.math.mul(
        x, tf.math.rsqrt(tf.math.maximum(squareSum, Scalars.of(tf, epsilon, x.type()))));
  }
}
