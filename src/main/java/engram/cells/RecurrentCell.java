package engram.cells;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * One time step of a recurrent network (the Keras / Flax cell contract). A cell owns its weights,
 * declares its initial carry and maps {@code (x_t, state_{t-1}) -> (y_t, state_t)}; it never loops
 * over time. {@code engram.models.Rnn} unrolls it statically, because TF-Java cannot differentiate
 * loops.
 */
public interface RecurrentCell<T extends TFloating> {

  /** Features per input step D. */
  int inputSize();

  /** Features per output step. */
  int outputSize();

  /**
   * The state before the first step, for a batch of {@code batchSize} (a 1-element int32 vector
   * known at run time). Cells with random initial states draw them from {@code noise}.
   */
  State<T> initialState(Ops tf, Operand<TInt32> batchSize, NoiseSource noise);

  /**
   * The part of a step that depends on its input alone, for many rows at once: {@code x [N, D] ->
   * [N, P]}. {@code engram.models.Rnn} applies it to a whole sequence ({@code N = B*T}) as one
   * large matrix product before the recurrence, instead of T small ones inside it (cuDNN splits its
   * RNNs the same way); each step then does only the work that needs the carry. The default is no
   * projection: the step sees {@code x_t} itself.
   */
  default Operand<T> project(Ops tf, Operand<T> x) {
    return x;
  }

  /** Step {@code t} (0-based) on the projected input {@code project(x)_t [B, P]}. */
  Step<T> step(Ops tf, Operand<T> input, State<T> state, int t, NoiseSource noise);
}
