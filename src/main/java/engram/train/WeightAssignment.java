package engram.train;

import engram.nn.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/** Sets a graph's parameters by name, checking that every one is given with its exact size. */
final class WeightAssignment {

  private WeightAssignment() {}

  /**
   * Assigns {@code weights} (row-major, by parameter name) to {@code targets} in one run; a missing
   * parameter, a wrong size or an unknown name is an error. Float64 parameters get the float values
   * widened.
   */
  static <T extends TFloating> void assign(
      Graph graph, Session session, List<Param<T>> targets, Map<String, float[]> weights) {
    Set<String> unknown = new TreeSet<>(weights.keySet());
    targets.forEach(p -> unknown.remove(p.name()));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("no parameters named " + unknown + " in this model");
    }
    Ops tf = Ops.create(graph).withSubScope("set_weights");
    Session.Runner runner = session.runner();
    List<TFloat32> owned = new ArrayList<>();
    try {
      for (Param<T> p : targets) {
        float[] v = weights.get(p.name());
        if (v == null || v.length != p.size()) {
          throw new IllegalArgumentException(
              p.name()
                  + ": expected "
                  + p.size()
                  + " values for shape "
                  + Arrays.toString(p.shape())
                  + ", got "
                  + (v == null ? "none" : v.length));
        }
        Placeholder<TFloat32> value =
            tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(p.shape())));
        TFloat32 t = TFloat32.tensorOf(Shape.of(p.shape()), DataBuffers.of(v, true, false));
        owned.add(t);
        Class<T> type = p.value().type();
        @SuppressWarnings("unchecked")
        Operand<T> typed =
            type == TFloat32.class ? (Operand<T>) value : tf.dtypes.cast(value, type);
        runner.feed(value, t).addTarget(tf.assign(p.variable(), typed));
      }
      try (Result r = runner.run()) {
        // assignments only
      }
    } finally {
      owned.forEach(TFloat32::close);
    }
  }
}
