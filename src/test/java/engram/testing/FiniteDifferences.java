package engram.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Central finite differences, the independent reference of engram's gradient tests. */
public final class FiniteDifferences {

  private FiniteDifferences() {}

  /**
   * {@code (f(v + h e_i) - f(v - h e_i)) / 2h} for every entry i of {@code values.get(key)}, the
   * other entries of {@code values} held at their values; {@code values} is left unchanged.
   */
  public static <K> double[] gradient(
      Map<K, double[]> values, K key, double h, ToDoubleFunction<Map<K, double[]>> f) {
    double[] base = values.get(key);
    double[] numeric = new double[base.length];
    for (int i = 0; i < numeric.length; i++) {
      numeric[i] =
          (f.applyAsDouble(with(values, key, base, i, h))
                  - f.applyAsDouble(with(values, key, base, i, -h)))
              / (2 * h);
    }
    return numeric;
  }

  private static <K> Map<K, double[]> with(
      Map<K, double[]> values, K key, double[] base, int i, double delta) {
    double[] moved = base.clone();
    moved[i] += delta;
    Map<K, double[]> m = new HashMap<>(values);
    m.put(key, moved);
    return m;
  }
}
