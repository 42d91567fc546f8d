package engram.cells;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.family.TFloating;

/**
 * What one cell step produces: the output {@code y_t}, the next state, and named intermediate
 * tensors ("probes", e.g. the ENN's attention weights) for inspection and parity checks.
 */
public record Step<T extends TFloating>(
    Operand<T> output, State<T> state, Map<String, Operand<T>> probes) {

  public Step {
    probes = Collections.unmodifiableMap(new LinkedHashMap<>(probes));
  }

  public Step(Operand<T> output, State<T> state) {
    this(output, state, Map.of());
  }
}
