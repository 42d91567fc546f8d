package engram.cells;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/** A {@link NoiseSource} that returns given values for each named draw, and records the names. */
final class InjectedNoise implements NoiseSource {

  private final Map<String, double[]> draws;
  final List<String> requested = new ArrayList<>();

  InjectedNoise(Map<String, double[]> draws) {
    this.draws = draws;
  }

  @Override
  public <T extends TFloating> Operand<T> normal(
      Ops tf, String name, Operand<TInt32> shape, double stddev, Class<T> type) {
    requested.add(name);
    double[] v = draws.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no injected value for draw " + name);
    }
    Operand<TFloat64> c = tf.constant(v);
    return tf.reshape(tf.dtypes.cast(c, type), shape);
  }
}
