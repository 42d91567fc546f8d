package engram.models;

import engram.cells.NoiseSource;
import engram.cells.RecurrentCell;
import engram.cells.State;
import engram.cells.Step;
import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Scalars;
import engram.ops.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * A cell that is not part of engram, to show what adding one takes: a leaky integrator. Per step,
 *
 * <pre>
 *  (1) h = (1 - a) h_prev + a tanh(x W + b),   a = 0.5
 * </pre>
 *
 * Shapes: x [B,D]; h [B,U]; W [D,U] "kernel"; b [U] "bias". Initial state zeros.
 */
public final class LeakyCell<T extends TFloating> implements RecurrentCell<T> {

  static final double LEAK = 0.5;

  private final Param<T> kernel;
  private final Param<T> bias;
  private final int inputSize;
  private final int units;
  private final Class<T> type;

  public LeakyCell(ParamSet<T> params, int inputSize, int units) {
    this.kernel = params.create("kernel", Initializer.glorotUniform(), true, inputSize, units);
    this.bias = params.create("bias", Initializer.zeros(), true, units);
    this.inputSize = inputSize;
    this.units = units;
    this.type = params.type();
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
    return State.of("h", tf.fill(Shapes.withBatch(tf, batchSize, units), Scalars.of(tf, 0, type)));
  }

  @Override
  public Step<T> step(Ops tf, Operand<T> x, State<T> state, int t, NoiseSource noise) {
    Operand<T> drive = tf.math.tanh(tf.math.add(tf.linalg.matMul(x, kernel.value()), bias.value()));
    Operand<T> h =
        tf.math.add(
            tf.math.mul(state.get("h"), Scalars.of(tf, 1 - LEAK, type)),
            tf.math.mul(drive, Scalars.of(tf, LEAK, type))); // (1)
    return new Step<>(h, State.of("h", h));
  }
}
