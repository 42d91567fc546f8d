package engram.train;

import java.util.ArrayList;
import java.util.List;

/**
 * What a checkpoint needs besides the variables to continue a run exactly: the counters, the
 * schedule's and early stopping's memory, and the history behind {@code metrics.csv}.
 *
 * @param epoch epochs completed
 * @param globalStep training steps completed (seeds the next step's random draws)
 * @param learningRate rate for the next epoch
 * @param plateau memory of a plateau schedule
 * @param bestValLoss lowest validation loss so far ({@link Double#MAX_VALUE} before the first)
 * @param bestEpoch epoch of {@code bestValLoss} (0 before the first)
 * @param history every completed epoch's metrics
 * @param referenceLoss the loss of the run's first training step, the reference of {@link
 *     DivergenceRule} (0 before the first step, and in checkpoints written before it was saved)
 */
public record TrainerState(
    int epoch,
    long globalStep,
    double learningRate,
    LrSchedule.PlateauState plateau,
    double bestValLoss,
    int bestEpoch,
    List<EpochMetrics> history,
    double referenceLoss) {

  public TrainerState {
    history = List.copyOf(history);
  }

  static TrainerState initial(double learningRate) {
    return new TrainerState(
        0,
        0,
        learningRate,
        new LrSchedule.PlateauState(Double.MAX_VALUE, 0),
        Double.MAX_VALUE,
        0,
        List.of(),
        0);
  }

  /** Epochs since the best validation loss. */
  int epochsSinceBest() {
    return epoch - bestEpoch;
  }

  /**
   * This state after {@code metrics.epoch()}: its metrics in the history, {@code steps} steps done,
   * and its validation loss as the best if {@code improved}. Rate, plateau memory and reference
   * loss are the listeners' to change ({@link #withSchedule}, {@link #withReferenceLoss}).
   */
  TrainerState after(EpochMetrics metrics, long steps, boolean improved) {
    List<EpochMetrics> h = new ArrayList<>(history);
    h.add(metrics);
    return new TrainerState(
        metrics.epoch(),
        steps,
        learningRate,
        plateau,
        improved ? metrics.valLoss() : bestValLoss,
        improved ? metrics.epoch() : bestEpoch,
        h,
        referenceLoss);
  }

  /** This state with the schedule's rate for the next epoch and its plateau memory. */
  public TrainerState withSchedule(LrSchedule.Decision next) {
    return new TrainerState(
        epoch,
        globalStep,
        next.learningRate(),
        next.plateau(),
        bestValLoss,
        bestEpoch,
        history,
        referenceLoss);
  }

  /** This state with {@code loss} as the divergence rule's reference. */
  public TrainerState withReferenceLoss(double loss) {
    return new TrainerState(
        epoch, globalStep, learningRate, plateau, bestValLoss, bestEpoch, history, loss);
  }
}
