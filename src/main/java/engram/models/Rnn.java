package engram.models;

import engram.cells.NoiseSource;
import engram.cells.RecurrentCell;
import engram.cells.State;
import engram.cells.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.family.TFloating;

/**
 * Static unrolling of a {@link RecurrentCell} over a fixed number of steps. TF-Java differentiates
 * no loop op, so each step is its own copy of the cell's ops (scoped {@code t00}, {@code t01},
 * ...); the weights are shared because every copy reads the same variables.
 */
public final class Rnn {

  private Rnn() {}

  /** The outputs of every step, the state after the last one, and each step's probes. */
  public record Sequence<T extends TFloating>(
      List<Operand<T>> outputs, State<T> finalState, List<Map<String, Operand<T>>> probes) {

    public Sequence {
      outputs = List.copyOf(outputs);
      probes = List.copyOf(probes);
    }

    /** {@code y_T}, the output of the last step. */
    public Operand<T> last() {
      return outputs.get(outputs.size() - 1);
    }

    /** All outputs stacked batch-major, {@code [B, T, H]} (Keras {@code return_sequences=True}). */
    public Operand<T> stacked(Ops tf) {
      return tf.stack(outputs, Stack.axis(1L));
    }
  }

  /** Splits {@code x [B, T, D]} into T tensors {@code [B, D]}. */
  public static <T extends TFloating> List<Operand<T>> steps(Ops tf, Operand<T> x, int timeSteps) {
    return new ArrayList<>(tf.unstack(x, (long) timeSteps, Unstack.axis(1L)).output());
  }

  /** Runs {@code cell} over {@code inputs} from {@code initial}. */
  public static <T extends TFloating> Sequence<T> unroll(
      Ops tf,
      RecurrentCell<T> cell,
      List<? extends Operand<T>> inputs,
      State<T> initial,
      NoiseSource noise) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("cannot unroll over 0 time steps");
    }
    List<Operand<T>> outputs = new ArrayList<>(inputs.size());
    List<Map<String, Operand<T>>> probes = new ArrayList<>(inputs.size());
    State<T> state = initial;
    for (int t = 0; t < inputs.size(); t++) {
      Step<T> step =
          cell.step(tf.withSubScope(String.format("t%02d", t)), inputs.get(t), state, t, noise);
      outputs.add(step.output());
      probes.add(step.probes());
      state = step.state();
    }
    return new Sequence<>(outputs, state, probes);
  }
}
