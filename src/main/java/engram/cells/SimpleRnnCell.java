package engram.cells;

import engram.nn.Initializer;
import engram.nn.ParamSet;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Keras 3 {@code SimpleRNNCell} with its defaults (tanh, glorot_uniform kernel, orthogonal
 * recurrent kernel, zero bias). Per step:
 *
 * <pre>
 *  (1) h = tanh((x W + b) + h_prev U)
 * </pre>
 *
 * Shapes: x [B,D]; h [B,U]; W [D,U] "kernel"; U [U,U] "recurrent_kernel"; b [U] "bias". Initial
 * state zeros.
 */
public final class SimpleRnnCell<T extends TFloating> extends KerasCell<T> {

  public static final String H = "h";

  public SimpleRnnCell(ParamSet<T> params, int inputSize, int units) {
    super(params, inputSize, units, 1, Initializer.zeros(), units);
  }

  @Override
  public State<T> initialState(Ops tf, Operand<TInt32> batchSize, NoiseSource noise) {
    return State.of(H, zeros(tf, batchSize));
  }

  /** x W + b, for rows {@code x [N, D]}: the input projection, for all steps at once. */
  @Override
  public Operand<T> project(Ops tf, Operand<T> x) {
    return tf.nn.biasAdd(tf.linalg.matMul(x, kernel.value()), bias.value());
  }

  @Override
  public Step<T> step(Ops tf, Operand<T> xw, State<T> state, int t, NoiseSource noise) {
    Operand<T> h =
        tf.math.tanh(
            tf.math.add(xw, tf.linalg.matMul(state.get(H), recurrentKernel.value()))); // (1)
    return new Step<>(h, State.of(H, h));
  }
}
