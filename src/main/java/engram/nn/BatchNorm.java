package engram.nn;

import engram.ops.Scalars;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
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
    if (training && x.type() == TFloat32.class) {
      return fusedKernel(tf, x);
    }
    return apply(tf, x, training, true, 0, 1, 2); // float64, or inference: the same function
  }

  /**
   * {@link #applyFused} in training as TensorFlow's {@code FusedBatchNormV3} kernel: one op forward
   * and one backward where the composed form makes about ten passes over x (4-5 times faster on the
   * association encoder's first block). The kernel has no float64 version, so float64 graphs (the
   * gradient checks) take the composed form; tests hold the two to each other.
   */
  @SuppressWarnings("unchecked")
  private Result<T> fusedKernel(Ops tf, Operand<T> x) {
    Operand<TFloat32> empty = tf.constant(new float[0]); // population statistics: unused here
    FusedBatchNorm<TFloat32, TFloat32> bn =
        tf.nn.fusedBatchNorm(
            (Operand<TFloat32>) x,
            (Operand<TFloat32>) gamma.value(),
            (Operand<TFloat32>) beta.value(),
            empty,
            empty,
            FusedBatchNorm.epsilon((float) EPSILON),
            FusedBatchNorm.isTraining(true));
    // the kernel's batch variance is already Bessel-corrected, as the moving variance wants
    return new Result<>(
        (Operand<T>) bn.y(),
        movingUpdates(tf, (Operand<T>) bn.batchMean(), (Operand<T>) bn.batchVariance()));
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
    return new Result<>(
        normalize(tf, x, mean, variance), movingUpdates(tf, meanVector, varianceVector));
  }

  private List<Op> movingUpdates(Ops tf, Operand<T> mean, Operand<T> variance) {
    Operand<T> decay = Scalars.of(tf, 1.0 - MOMENTUM, mean.type());
    return List.of(
        movingMean.assignSub(tf, tf.math.mul(tf.math.sub(movingMean.value(), mean), decay)),
        movingVariance.assignSub(
            tf, tf.math.mul(tf.math.sub(movingVariance.value(), variance), decay)));
  }

  private Operand<T> normalize(Ops tf, Operand<T> x, Operand<T> mean, Operand<T> variance) {
    Operand<T> inv =
        tf.math.mul(
            tf.math.rsqrt(tf.math.add(variance, Scalars.of(tf, EPSILON, x.type()))), gamma.value());
    return tf.math.add(tf.math.mul(x, inv), tf.math.sub(beta.value(), tf.math.mul(mean, inv)));
  }
}
