package engram.cells;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.family.TFloating;

/**
 * The carry of a recurrent cell between steps, by name (e.g. {@code h}, {@code c}, {@code trace}).
 * State is not a parameter: it is never trained and never saved.
 */
public record State<T extends TFloating>(Map<String, Operand<T>> tensors) {

  public State {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  public static <T extends TFloating> State<T> of(String name, Operand<T> value) {
    return new State<>(Map.of(name, value));
  }

  public static <T extends TFloating> State<T> of(
      String name1, Operand<T> value1, String name2, Operand<T> value2) {
    Map<String, Operand<T>> m = new LinkedHashMap<>();
    m.put(name1, value1);
    m.put(name2, value2);
    return new State<>(m);
  }

  /** The tensor named {@code name}. */
  public Operand<T> get(String name) {
    Operand<T> value = tensors.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "state has no tensor '" + name + "'; it holds " + tensors.keySet());
    }
    return value;
  }
}
