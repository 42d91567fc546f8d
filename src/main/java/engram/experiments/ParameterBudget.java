package engram.experiments;

import engram.data.Feature;
import engram.models.ModelConfig;
import engram.models.Models;
import engram.train.Inputs;
import java.util.List;

/**
 * Sizes a one-layer model to a parameter budget: the width whose trainable-parameter count (cell,
 * memory bank, head: everything the optimiser updates) is nearest the budget, so that models are
 * compared at equal capacity rather than equal width.
 */
public final class ParameterBudget {

  /** Widest layer searched; a budget that needs more is a mistake in the comparison's file. */
  static final int MAX_UNITS = 4096;

  private ParameterBudget() {}

  /** Trainable parameters of {@code model} on inputs {@code inputs} with {@code outputs}. */
  public static long count(ModelConfig model, List<Feature> inputs, int outputs) {
    return Models.trainableParameters(model, Inputs.shapes(inputs), outputs);
  }

  /**
   * The width of {@code model}'s single layer whose count is nearest {@code budget} (the narrower
   * on a tie); the count grows with the width, so a bisection finds it.
   */
  public static int unitsFor(ModelConfig model, List<Feature> inputs, int outputs, long budget) {
    if (budget < 1) {
      throw new IllegalArgumentException("a parameter budget is >= 1, got " + budget);
    }
    int lo = 1;
    int hi = MAX_UNITS;
    if (count(withUnits(model, hi), inputs, outputs) < budget) {
      throw new IllegalArgumentException(
          "a parameter budget of "
              + budget
              + " needs more than "
              + MAX_UNITS
              + " units of "
              + model.type()
              + "; lower parameterBudget");
    }
    while (lo < hi) { // the narrowest width whose count reaches the budget
      int mid = (lo + hi) >>> 1;
      if (count(withUnits(model, mid), inputs, outputs) >= budget) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    if (lo == 1) {
      return 1;
    }
    long above = count(withUnits(model, lo), inputs, outputs) - budget;
    long below = budget - count(withUnits(model, lo - 1), inputs, outputs);
    return below <= above ? lo - 1 : lo;
  }

  /** {@code model} with one layer of {@code units}. */
  public static ModelConfig withUnits(ModelConfig model, int units) {
    return new ModelConfig(
        model.type(),
        List.of(units),
        model.dropout(),
        model.engram(),
        model.hmem(),
        model.head(),
        model.embedding(),
        model.tied(),
        model.encoder());
  }
}
