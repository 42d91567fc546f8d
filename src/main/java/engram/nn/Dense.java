package engram.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * A fully connected layer without activation: {@code y = x W + b} (Keras Dense: MatMul, BiasAdd).
 */
public final class Dense<T extends TFloating> {

  private final Param<T> kernel;
  private final Param<T> bias;

  /**
   * Creates {@code kernel [inputs, units]} and a zero {@code bias [units]} under {@code params}.
   */
  public Dense(ParamSet<T> params, int inputs, int units, Initializer kernelInitializer) {
    this.kernel = params.create("kernel", kernelInitializer, true, inputs, units);
    this.bias = params.create("bias", Initializer.zeros(), true, units);
  }

  /** {@code x [B, inputs] -> [B, units]}. */
  public Operand<T> apply(Ops tf, Operand<T> x) {
    return tf.nn.biasAdd(tf.linalg.matMul(x, kernel.value()), bias.value());
  }

  public Param<T> kernel() {
    return kernel;
  }

  public Param<T> bias() {
    return bias;
  }
}
