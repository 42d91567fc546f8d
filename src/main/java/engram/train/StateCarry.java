package engram.train;

import engram.cells.State;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The recurrent state one graph path carries from a batch to the next (stateful truncated BPTT):
 * each layer's state enters through a {@code PlaceholderWithDefault} whose default is the cell's
 * initial state, and leaves as the final state, which the next run is fed. Gradients stop at the
 * window boundary because the carry arrives as a fed value. {@link #reset} returns to the defaults.
 */
final class StateCarry<T extends TFloating> implements AutoCloseable {

  private final List<Operand<T>> in = new ArrayList<>();
  private final List<State<T>> states = new ArrayList<>();
  private List<Operand<T>> out = List.of();
  private Result held;
  private int heldAt;

  /** Entry points over {@code initial}, each layer's default state. */
  StateCarry(Ops tf, List<State<T>> initial) {
    Ops carry = tf.withSubScope("carry");
    for (State<T> s : initial) {
      Map<String, Operand<T>> m = new LinkedHashMap<>();
      s.tensors()
          .forEach(
              (name, v) -> {
                Operand<T> p = carry.withName(name).placeholderWithDefault(v, v.shape());
                in.add(p);
                m.put(name, p);
              });
      states.add(new State<>(m));
    }
  }

  /** The states a run starts from: each layer's entry point. */
  List<State<T>> states() {
    return states;
  }

  /** Records the states a run ends in, in the same order. */
  void ends(List<State<T>> finals) {
    List<Operand<T>> o = new ArrayList<>();
    finals.forEach(s -> o.addAll(s.tensors().values()));
    if (o.size() != in.size()) {
      throw new IllegalStateException("final states do not match the initial ones");
    }
    out = o;
  }

  /** Feeds the held state, if any, to {@code r}. */
  void feed(Session.Runner r) {
    if (held == null) {
      return;
    }
    for (int i = 0; i < in.size(); i++) {
      r.feed(in.get(i), held.get(heldAt + i));
    }
  }

  /** Adds the final states to {@code r}'s fetches. */
  void fetch(Session.Runner r) {
    out.forEach(r::fetch);
  }

  /**
   * Keeps the final states {@code result} fetched from {@code at} for the next run; takes {@code
   * result} over (closes it when replaced or reset).
   */
  void keep(Result result, int at) {
    Result old = held;
    held = result;
    heldAt = at;
    if (old != null) {
      old.close();
    }
  }

  /** Starts again from the initial state. */
  void reset() {
    keep(null, 0);
  }

  @Override
  public void close() {
    reset();
  }
}
