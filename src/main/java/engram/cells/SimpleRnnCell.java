package engram.cells;

import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Shapes;
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
public final class SimpleRnnCell<T extends TFloating> implements RecurrentCell<T> {

  public static final String H = "h";

  private final int inputSize;
  private final int units;
  private final Class<T> type;
  private final Param<T> kernel;
  private final Param<T> recurrentKernel;
  private final Param<T> bias;

  public SimpleRnnCell(ParamSet<T> params, int inputSize, int units) {
    this.inputSize = inputSize;
    this.units = units;
    this.type = params.type();
    this.kernel = params.create("kernel", Initializer.glorotUniform(), true, inputSize, units);
    this.recurrentKernel =
        params.create("recurrent_kernel", Initializer.orthogonal(), true, units, units);
    this.bias = params.create("bias", Initializer.zeros(), true, units);
  }

  @Override
  public int inputSize() {
    return inputSize;
  }

  @Override
  public int outputSize() {
    return units;
  }

  @Override
  public State<T> initialState(Ops tf, Operand<TInt32> batchSize, NoiseSource noise) {
    return State.of(H, tf.zeros(Shapes.withBatch(tf, batchSize, units), type));
  }

  @Override
  public Step<T> step(Ops tf, Operand<T> x, State<T> state, int t, NoiseSource noise) {
    Operand<T> input = tf.nn.biasAdd(tf.linalg.matMul(x, kernel.value()), bias.value());
    Operand<T> h =
        tf.math.tanh(tf.math.add(input, tf.linalg.matMul(state.get(H), recurrentKernel.value())));
    return new Step<>(h, State.of(H, h));
  }
}
