package engram.train;

import engram.cells.State;
import engram.models.Rnn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.family.TFloating;

/** The recurrent states {@link BpttWindows} passes between windows: flattened, or as inputs. */
final class WindowStates {

  private WindowStates() {}

  static <T extends TFloating> List<State<T>> finalStates(List<Rnn.Sequence<T>> run) {
    return run.stream().map(Rnn.Sequence::finalState).toList();
  }

  static <T extends TFloating> List<Operand<T>> flatten(List<State<T>> states) {
    List<Operand<T>> out = new ArrayList<>();
    states.forEach(s -> out.addAll(s.tensors().values()));
    return out;
  }

  /** Placeholders shaped like {@code like} (the batch axis left open), named {@code prefix_*}. */
  static <T extends TFloating> List<State<T>> placeholders(
      Ops tf, List<State<T>> like, String prefix) {
    List<State<T>> out = new ArrayList<>();
    for (State<T> s : like) {
      Map<String, Operand<T>> m = new LinkedHashMap<>();
      s.tensors()
          .forEach(
              (name, v) ->
                  m.put(
                      name,
                      tf.withName(prefix + "_" + name).placeholder(v.type(), shapeOf(v.shape()))));
      out.add(new State<>(m));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static <T extends TFloating> List<Placeholder<T>> placeholdersOf(List<State<T>> states) {
    List<Placeholder<T>> out = new ArrayList<>();
    for (Operand<T> o : flatten(states)) {
      out.add((Placeholder<T>) o);
    }
    return out;
  }

  static Placeholder.Options shapeOf(long... dims) {
    return Placeholder.shape(Shape.of(dims));
  }

  static Placeholder.Options shapeOf(Shape shape) {
    return Placeholder.shape(shape); // static where known: [?, H] for h, [M, H] for the trace
  }
}
