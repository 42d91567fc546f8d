package engram.cells;

import engram.nn.Initializer;
import engram.nn.ParamSet;
import engram.ops.Scalars;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Keras 3 {@code GRUCell} with its defaults: {@code reset_after=True} (the cuDNN-compatible
 * layout), sigmoid gates, tanh candidate, glorot_uniform kernel, orthogonal recurrent kernel, zero
 * biases. Gate order in every weight is (z, r, h). Per step:
 *
 * <pre>
 *  (1) [x_z | x_r | x_h] = x W + b_in
 *  (2) [r_z | r_r | r_h] = h_prev U + b_rec
 *  (3) z  = sigmoid(x_z + r_z)                update gate
 *  (4) r  = sigmoid(x_r + r_r)                reset gate
 *  (5) hh = tanh(x_h + r * r_h)               candidate (reset applied after the matmul)
 *  (6) h  = z * h_prev + (1 - z) * hh
 * </pre>
 *
 * Shapes: W [D,3U] "kernel"; U [U,3U] "recurrent_kernel"; "bias" [2,3U] = (b_in; b_rec). (1) is the
 * cell's input projection, computed for all steps at once.
 */
public final class GruCell<T extends TFloating> extends KerasCell<T> {

  public static final String H = "h";

  public GruCell(ParamSet<T> params, int inputSize, int units) {
    super(params, inputSize, units, 3, Initializer.zeros(), 2, 3L * units);
  }

  @Override
  public State<T> initialState(Ops tf, Operand<TInt32> batchSize, NoiseSource noise) {
    return State.of(H, zeros(tf, batchSize));
  }

  /** (1) x W + b_in, for rows {@code x [N, D]}. */
  @Override
  public Operand<T> project(Ops tf, Operand<T> x) {
    Operand<T> bIn = tf.unstack(bias.value(), 2L).output().get(0);
    return tf.nn.biasAdd(tf.linalg.matMul(x, kernel.value()), bIn);
  }

  @Override
  public Step<T> step(Ops tf, Operand<T> xw, State<T> state, int t, NoiseSource noise) {
    Operand<T> hPrev = state.get(H);
    List<Output<T>> xg = split3(tf, xw); // (1)
    Operand<T> bRec = tf.unstack(bias.value(), 2L).output().get(1);
    List<Output<T>> rg =
        split3(tf, tf.nn.biasAdd(tf.linalg.matMul(hPrev, recurrentKernel.value()), bRec)); // (2)
    Operand<T> z = tf.math.sigmoid(tf.math.add(xg.get(0), rg.get(0))); // (3)
    Operand<T> r = tf.math.sigmoid(tf.math.add(xg.get(1), rg.get(1))); // (4)
    Operand<T> hh = tf.math.tanh(tf.math.add(xg.get(2), tf.math.mul(r, rg.get(2)))); // (5)
    Operand<T> h =
        tf.math.add(
            tf.math.mul(z, hPrev),
            tf.math.mul(tf.math.sub(Scalars.of(tf, 1.0, type), z), hh)); // (6)
    return new Step<>(h, State.of(H, h));
  }

  private List<Output<T>> split3(Ops tf, Operand<T> v) {
    return tf.split(tf.constant(1), v, 3L).output();
  }
}
