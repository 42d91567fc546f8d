package engram.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.cells.EngramCellConfig;
import engram.data.Feature;
import engram.models.ModelConfig;
import engram.models.ModelType;
import java.util.List;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/** Parameter counts against the Keras layers' hand counts, and the width nearest a budget. */
class ParameterBudgetTest {

  static final int D = 37; // associative recall's one-hot symbols
  static final int C = 10;
  static final List<Feature> INPUTS =
      List.of(new Feature("x", Feature.Kind.FLOAT, new int[] {19, D}));

  /** Keras LSTM(H) + Dense(C): four gates of [D + H, H] kernels and H biases. */
  static long lstm(int h) {
    return 4L * (h * (D + h) + h) + h * C + C;
  }

  /** Keras GRU(H), reset_after: three gates, two bias vectors each. */
  static long gru(int h) {
    return 3L * (h * (D + h) + 2 * h) + h * C + C;
  }

  /**
   * tensorflow-engram's EngramCell(H, M) with layer norm: the memory bank M x H, input_encoder D x
   * H + H, two layer norms 2H each, hidden_integrator 3H x 3H + 3H, output_dense 3H x H + H.
   */
  static long enn(int h, int m) {
    return (long) m * h
        + (D * h + h)
        + 2 * h
        + (9L * h * h + 3 * h)
        + (3L * h * h + h)
        + 2 * h
        + h * C
        + C;
  }

  static ModelConfig model(ModelType type, int units) {
    ModelConfig base =
        type == ModelType.ENN ? ModelConfig.ennDefaults() : ModelConfig.baselineDefaults(type);
    ModelConfig one = ParameterBudget.withUnits(base, units);
    return type == ModelType.ENN
        ? new ModelConfig(
            one.type(),
            one.units(),
            one.dropout(),
            EngramCellConfig.defaults().withMemorySize(32),
            null,
            one.head(),
            0,
            false,
            null)
        : one;
  }

  @Test
  void countsMatchTheKerasLayers() {
    for (int h : new int[] {1, 7, 38}) {
      assertEquals(lstm(h), ParameterBudget.count(model(ModelType.LSTM, h), INPUTS, C));
      assertEquals(gru(h), ParameterBudget.count(model(ModelType.GRU, h), INPUTS, C));
      assertEquals(enn(h, 32), ParameterBudget.count(model(ModelType.ENN, h), INPUTS, C));
    }
  }

  @Test
  void theWidthNearestTheBudgetIsChosen() {
    long budget = 12_000;
    check(ModelType.LSTM, ParameterBudgetTest::lstm, budget);
    check(ModelType.GRU, ParameterBudgetTest::gru, budget);
    check(ModelType.ENN, h -> enn(h, 32), budget);
    // lstm(38) = 11,942 and lstm(39) = 12,520 by hand: 38 is nearer 12,000.
    assertEquals(38, ParameterBudget.unitsFor(model(ModelType.LSTM, 1), INPUTS, C, budget));
  }

  private static void check(ModelType type, IntToLongFunction count, long budget) {
    int h = ParameterBudget.unitsFor(model(type, 1), INPUTS, C, budget);
    long gap = Math.abs(count.applyAsLong(h) - budget);
    assertTrue(gap <= Math.abs(count.applyAsLong(h + 1) - budget), type + " at " + h);
    assertTrue(gap <= Math.abs(count.applyAsLong(h - 1) - budget), type + " at " + h);
  }

  @Test
  void aBudgetBeyondTheWidestLayerIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ParameterBudget.unitsFor(model(ModelType.GRU, 1), INPUTS, C, 1_000_000_000L));
    assertTrue(e.getMessage().contains("lower parameterBudget"), e.getMessage());
  }
}
