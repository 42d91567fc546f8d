package engram.cells;

import engram.nn.Initializer;
import engram.nn.ParamSet;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Keras 3 {@code LSTMCell} with its defaults: sigmoid gates, tanh cell and output activations,
 * glorot_uniform kernel, orthogonal recurrent kernel, {@code unit_forget_bias=True} (forget-gate
 * bias initialised to 1). Gate order in every weight is (i, f, c, o). Per step:
 *
 * <pre>
 *  (1) [z_i | z_f | z_c | z_o] = (x W + b) + h_prev U
 *  (2) i = sigmoid(z_i),  f = sigmoid(z_f),  o = sigmoid(z_o)
 *  (3) c = f * c_prev + i * tanh(z_c)
 *  (4) h = o * tanh(c)
 * </pre>
 *
 * Shapes: W [D,4U] "kernel"; U [U,4U] "recurrent_kernel"; b [4U] "bias". State (h, c), zeros.
 * {@code x W + b} is the cell's input projection, computed for all steps at once; Keras adds b
 * last, {@code (x W + h_prev U) + b}, which differs in float rounding only.
 */
public final class LstmCell<T extends TFloating> extends KerasCell<T> {

  public static final String H = "h";
  public static final String C = "c";

  /** Keras' {@code unit_forget_bias=True}: bias blocks (i, f, c, o) = (0, 1, 0, 0). */
  private static final Initializer UNIT_FORGET_BIAS =
      new Initializer.Blocks(
          List.of(
              Initializer.zeros(), Initializer.ones(), Initializer.zeros(), Initializer.zeros()));

  public LstmCell(ParamSet<T> params, int inputSize, int units) {
    super(params, inputSize, units, 4, UNIT_FORGET_BIAS, 4L * units);
  }

  @Override
  public State<T> initialState(Ops tf, Operand<TInt32> batchSize, NoiseSource noise) {
    return State.of(H, zeros(tf, batchSize), C, zeros(tf, batchSize));
  }

  /** x W + b, for rows {@code x [N, D]}. */
  @Override
  public Operand<T> project(Ops tf, Operand<T> x) {
    return tf.nn.biasAdd(tf.linalg.matMul(x, kernel.value()), bias.value());
  }

  @Override
  public Step<T> step(Ops tf, Operand<T> xw, State<T> state, int t, NoiseSource noise) {
    Operand<T> gates =
        tf.math.add(xw, tf.linalg.matMul(state.get(H), recurrentKernel.value())); // (1)
    List<Output<T>> g = tf.split(tf.constant(1), gates, 4L).output();
    Operand<T> i = tf.math.sigmoid(g.get(0)); // (2)
    Operand<T> f = tf.math.sigmoid(g.get(1));
    Operand<T> o = tf.math.sigmoid(g.get(3));
    Operand<T> c =
        tf.math.add(tf.math.mul(f, state.get(C)), tf.math.mul(i, tf.math.tanh(g.get(2)))); // (3)
    Operand<T> h = tf.math.mul(o, tf.math.tanh(c)); // (4)
    return new Step<>(h, State.of(H, h, C, c));
  }
}
