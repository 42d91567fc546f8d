package engram.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * Inverted dropout as Keras 3 computes it on TensorFlow ({@code
 * tf.nn.experimental.stateless_dropout}).
 */
public final class Dropout {

  private Dropout() {}

  /**
   * {@code (x * 1/(1-rate)) * (u >= rate)} with {@code u ~ U[0,1)} drawn statelessly from {@code
   * seed}. Returns {@code x} itself when {@code rate == 0}.
   */
  public static <T extends TFloating> Operand<T> apply(
      Ops tf, Operand<T> x, double rate, Operand<? extends TIntegral> seed) {
    return apply(tf, x, tf.shape(x), rate, seed);
  }

  /**
   * As {@link #apply(Ops, Operand, double, Operand)}, with {@code x}'s shape given. Pass a shape
   * computed from the graph's inputs when {@code x} comes out of a long computation: XLA leaves the
   * random op out of its clusters, and a mask whose shape depends on {@code x} would then cut the
   * compiled step in two (cluster, mask, cluster), with shapes copied to the host every step.
   */
  public static <T extends TFloating> Operand<T> apply(
      Ops tf, Operand<T> x, Operand<TInt32> shape, double rate, Operand<? extends TIntegral> seed) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
    }
    if (rate == 0) {
      return x;
    }
    Class<T> type = x.type();
    Operand<T> u = tf.random.statelessRandomUniform(shape, seed, type);
    Operand<T> keep = tf.dtypes.cast(tf.math.greaterEqual(u, Scalars.of(tf, rate, type)), type);
    return tf.math.mul(tf.math.mul(x, Scalars.of(tf, 1.0 / (1.0 - rate), type)), keep);
  }
}
