package engram.nn;

import engram.ops.Norms;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Keras 3 LayerNormalization over the last axis with learned {@code gamma} (ones) and {@code beta}
 * (zeros).
 */
public final class LayerNorm<T extends TFloating> {

  private final Param<T> gamma;
  private final Param<T> beta;
  private final double epsilon;

  public LayerNorm(ParamSet<T> params, int size, double epsilon) {
    this.gamma = params.create("gamma", Initializer.ones(), true, size);
    this.beta = params.create("beta", Initializer.zeros(), true, size);
    this.epsilon = epsilon;
  }

  public Operand<T> apply(Ops tf, Operand<T> x) {
    return Norms.layerNorm(tf, x, gamma.value(), beta.value(), epsilon);
  }
}
