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
 * no loop op, so each step is its own copy of the cell's ops; the weights are shared because every
 * copy reads the same variables. The input-only part of the cell ({@link RecurrentCell#project})
 * runs once over the whole sequence.
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

  /**
   * Runs {@code cell} over {@code x [B, T, D]} from {@code initial}. The cell's input projection
   * runs once, on all {@code B*T} rows, before the recurrence.
   */
  public static <T extends TFloating> Sequence<T> unroll(
      Ops tf,
      RecurrentCell<T> cell,
      Operand<T> x,
      int timeSteps,
      State<T> initial,
      NoiseSource noise) {
    if (timeSteps <= 0) {
      throw new IllegalArgumentException("cannot unroll over " + timeSteps + " time steps");
    }
    long d = x.shape().numDimensions() == 3 ? x.shape().get(2) : -1;
    if (d <= 0) {
      throw new IllegalArgumentException(
          "Rnn.unroll needs x [B, T, D] with a known D, got shape " + x.shape());
    }
    Operand<T> rows = tf.reshape(x, tf.constant(new long[] {-1, d}));
    Operand<T> projected = cell.project(tf, rows);
    Operand<T> sequence = x;
    if (projected != rows) {
      long p = projected.shape().numDimensions() == 2 ? projected.shape().get(1) : -1;
      if (p <= 0) {
        throw new IllegalStateException(
            "the input projection of "
                + cell.getClass().getSimpleName()
                + " must give [N, P] with a known P, got "
                + projected.shape());
      }
      sequence = tf.reshape(projected, tf.constant(new long[] {-1, timeSteps, p}));
    }
    return recur(tf, cell, steps(tf, sequence, timeSteps), initial, noise);
  }

  /**
   * Runs {@code cell} over the steps {@code inputs} ({@code [B, D]} each) from {@code initial},
   * projecting each step on its own: for inputs that do not form one tensor.
   */
  public static <T extends TFloating> Sequence<T> unroll(
      Ops tf,
      RecurrentCell<T> cell,
      List<? extends Operand<T>> inputs,
      State<T> initial,
      NoiseSource noise) {
    List<Operand<T>> projected = new ArrayList<>(inputs.size());
    inputs.forEach(x -> projected.add(cell.project(tf, x)));
    return recur(tf, cell, projected, initial, noise);
  }

  private static <T extends TFloating> Sequence<T> recur(
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
      // No per-step sub-scope: TF-Java's withSubScope scans every op already in the graph, which
      // made building a T-step unroll quadratic in T (minutes at T = 128).
      Step<T> step = cell.step(tf, inputs.get(t), state, t, noise);
      outputs.add(step.output());
      probes.add(step.probes());
      state = step.state();
    }
    return new Sequence<>(outputs, state, probes);
  }
}
