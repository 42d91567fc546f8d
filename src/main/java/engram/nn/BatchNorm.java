package engram.nn;

import engram.ops.Scalars;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.family.TFloating;

/**
 * Keras BatchNormalization over the last axis (momentum 0.99, epsilon 1e-3, center and scale):
 *
 * <pre>
 *   training:  mu, var = moments(x, axes)            (biased variance, tf.nn.moments)
 *              y = x * inv + (beta - mu * inv),   inv = rsqrt(var + eps) * gamma
 *              moving_mean -= (moving_mean - mu) * (1 - momentum)    (same for moving_var)
 *   inference: the same with moving_mean and moving_var
 * </pre>
 *
 * Keras normalises over every axis but the last; callers name those axes, because for H-Mem the
 * statistics deliberately include padded (all-zero) sentences, as Keras' unmasked BatchNorm did.
 */
public final class BatchNorm<T extends TFloating> {

  public static final double MOMENTUM = 0.99;
  public static final double EPSILON = 1e-3;

  private final Param<T> gamma;
  private final Param<T> beta;
  private final Param<T> movingMean;
  private final Param<T> movingVariance;

  public BatchNorm(ParamSet<T> params, int size) {
    this.gamma = params.create("gamma", Initializer.ones(), true, size);
    this.beta = params.create("beta", Initializer.zeros(), true, size);
    this.movingMean = params.create("moving_mean", Initializer.zeros(), false, size);
    this.movingVariance = params.create("moving_variance", Initializer.ones(), false, size);
  }

  /** The normalised tensor and, in training, the moving-average updates to run with the step. */
  public record Result<T extends TFloating>(Operand<T> output, List<Op> updates) {}

  /**
   * Normalises {@code x}, whose last axis has {@code size} features, over {@code axes} (all the
   * other axes) in training, or with the moving statistics in inference.
   */
  public Result<T> apply(Ops tf, Operand<T> x, boolean training, int... axes) {
    return apply(tf, x, training, false, axes);
  }

  /**
   * Keras' fused BatchNorm of images {@code [N, H, W, C]}: statistics over N, H and W, the output
   * normalised with the biased variance, the moving variance updated with the Bessel-corrected one
   * ({@code var * n / (n - 1)}, n = N H W), as TensorFlow's fused kernel keeps it.
   */
  public Result<T> applyFused(Ops tf, Operand<T> x, boolean training) {
    return apply(tf, x, training, true, 0, 1, 2);
  }

  private Result<T> apply(Ops tf, Operand<T> x, boolean training, boolean bessel, int... axes) {
    Class<T> type = x.type();
    if (!training) {
      return new Result<>(normalize(tf, x, movingMean.value(), movingVariance.value()), List.of());
    }
    Operand<T> mean = tf.math.mean(x, tf.constant(axes), Mean.keepDims(true));
    Operand<T> variance =
        tf.math.mean(
            tf.math.squaredDifference(x, tf.stopGradient(mean)),
            tf.constant(axes),
            Mean.keepDims(true));
    Operand<T> meanVector = tf.reshape(mean, tf.constant(new int[] {-1}));
    Operand<T> varianceVector = tf.reshape(variance, tf.constant(new int[] {-1}));
    if (bessel) {
      Operand<T> n =
          tf.dtypes.cast(
              tf.math.div(tf.size(x), tf.size(meanVector)), type); // elements per channel
      varianceVector =
          tf.math.mul(varianceVector, tf.math.div(n, tf.math.sub(n, Scalars.of(tf, 1.0, type))));
    }
    Operand<T> decay = Scalars.of(tf, 1.0 - MOMENTUM, type);
    List<Op> updates =
        List.of(
            tf.assignSub(
                movingMean.variable(),
                tf.math.mul(tf.math.sub(movingMean.value(), meanVector), decay)),
            tf.assignSub(
                movingVariance.variable(),
                tf.math.mul(tf.math.sub(movingVariance.value(), varianceVector), decay)));
    return new Result<>(normalize(tf, x, mean, variance), updates);
  }

  private Operand<T> normalize(Ops tf, Operand<T> x, Operand<T> mean, Operand<T> variance) {
    Operand<T> inv =
        tf.math.mul(
            tf.math.rsqrt(tf.math.add(variance, Scalars.of(tf, EPSILON, x.type()))), gamma.value());
    return tf.math.add(tf.math.mul(x, inv), tf.math.sub(beta.value(), tf.math.mul(mean, inv)));
  }
}
