package engram.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Keras Conv2D with 'same' padding and stride 1, NHWC: {@code y = conv(x, K) + b}, kernel {@code
 * [kh, kw, in, out]} (he_uniform: fan_in = kh kw in), zero bias.
 */
public final class Conv2D<T extends TFloating> {

  private final Param<T> kernel;
  private final Param<T> bias;

  public Conv2D(ParamSet<T> params, int size, int inputs, int filters) {
    this.kernel =
        params.create("kernel", Initializer.heUniform(), true, size, size, inputs, filters);
    this.bias = params.create("bias", Initializer.zeros(), true, filters);
  }

  /** {@code x [N, H, W, in] -> [N, H, W, out]}. */
  public Operand<T> apply(Ops tf, Operand<T> x) {
    Operand<T> y = tf.nn.conv2d(x, kernel.value(), List.of(1L, 1L, 1L, 1L), "SAME");
    return tf.nn.biasAdd(y, bias.value());
  }

  public Param<T> kernel() {
    return kernel;
  }
}
