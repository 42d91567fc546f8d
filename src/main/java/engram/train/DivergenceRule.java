package engram.train;

import java.util.Locale;

/**
 * When a run has diverged. Every training step's loss is checked:
 *
 * <ol>
 *   <li>a NaN or infinite loss stops the run at once;
 *   <li>a loss above {@code factor} times the reference loss for {@code steps} consecutive steps
 *       stops it too. The reference is the loss of the run's first training step (for a classifier
 *       at initialisation about ln C, 2.3 for MNIST's 10 classes); it is saved with every
 *       checkpoint, so a resumed run keeps it.
 * </ol>
 *
 * The run then ends with exit code 4, naming the last checkpoint written before the loss left its
 * bound. {@code factor} 0 turns rule 2 off.
 *
 * @param factor how many times the reference loss counts as exploded; 0 = rule 2 off
 * @param steps consecutive steps above the bound that stop the run
 */
public record DivergenceRule(double factor, int steps) {

  public DivergenceRule {
    if (!(factor == 0 || (factor > 1 && Double.isFinite(factor)))) {
      throw new IllegalArgumentException(
          "train.divergence.factor must be > 1, or 0 to stop only on NaN, got " + factor);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("train.divergence.steps must be >= 1, got " + steps);
    }
  }

  /** Stop when the loss stays above 10 times the first step's for 20 steps in a row. */
  public static DivergenceRule defaults() {
    return new DivergenceRule(10, 20);
  }

  /** Follows one run's losses; {@link #check} says when the rule is broken. */
  static final class Watch {
    private final DivergenceRule rule;
    private double reference;
    private int above;
    private int firstEpochAbove;
    private int firstStepAbove;

    /**
     * @param reference the first step's loss, or 0 when no step ran yet
     */
    Watch(DivergenceRule rule, double reference) {
      this.rule = rule;
      this.reference = reference;
    }

    double reference() {
      return reference;
    }

    /** The epoch in which the current streak of out-of-bounds losses began; 0 when in bounds. */
    int aboveSince() {
      return above > 0 ? firstEpochAbove : 0;
    }

    /**
     * Checks step {@code step} of {@code epoch} (both 1-based).
     *
     * @return null while the run is fine, else why it diverged, and since which epoch
     */
    Verdict check(int epoch, int step, double loss) {
      if (!Double.isFinite(loss)) {
        return new Verdict(
            String.format(Locale.ROOT, "epoch %d step %d: loss is %s", epoch, step, loss), epoch);
      }
      if (reference == 0) {
        reference = loss;
      }
      if (rule.factor() == 0 || loss <= rule.factor() * reference) {
        above = 0;
        return null;
      }
      if (above++ == 0) {
        firstEpochAbove = epoch;
        firstStepAbove = step;
      }
      if (above < rule.steps()) {
        return null;
      }
      return new Verdict(
          String.format(
              Locale.ROOT,
              "epoch %d step %d: loss %.3g has stayed above %s x the first step's loss (%.4g) for"
                  + " %d steps, since epoch %d step %d (rule train.divergence)",
              epoch,
              step,
              loss,
              trim(rule.factor()),
              reference,
              above,
              firstEpochAbove,
              firstStepAbove),
          firstEpochAbove);
    }
  }

  /**
   * @param what the loss and the rule it broke
   * @param sinceEpoch the epoch in which the loss left its bound: checkpoints from its end on hold
   *     diverging weights
   */
  record Verdict(String what, int sinceEpoch) {}

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
