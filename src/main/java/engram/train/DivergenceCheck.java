package engram.train;

import java.util.List;

/**
 * Stops a run whose loss diverges, by {@link DivergenceRule}: every batch's loss is checked, and
 * the run ends with a {@link DivergenceException} that names the last checkpoint written before the
 * loss left its bound. While the loss is out of bounds, that checkpoint is spared from pruning.
 */
final class DivergenceCheck implements TrainingListener {

  private final DivergenceRule rule;
  private final Checkpoints checkpoints;
  private DivergenceRule.Watch watch;

  DivergenceCheck(DivergenceRule rule, Checkpoints checkpoints) {
    this.rule = rule;
    this.checkpoints = checkpoints;
  }

  @Override
  public void onTrainBegin(TrainingRun run) {
    watch = new DivergenceRule.Watch(rule, run.state().referenceLoss());
  }

  @Override
  public void onBatchEnd(TrainingRun run, Step step) {
    DivergenceRule.Verdict diverged = watch.check(step.epoch(), step.batch(), step.result().loss());
    if (diverged != null) {
      throw new DivergenceException(
          diverged.what()
              + "; stopped. Last good checkpoint: "
              + lastGood(run, diverged.sinceEpoch())
              + ". Train again with a lower --lr, or --clipnorm 1.");
    }
  }

  @Override
  public void onEpochEnd(TrainingRun run, EpochMetrics metrics) {
    run.update(s -> s.withReferenceLoss(watch.reference()));
    run.spareCheckpoint(watch.aboveSince() - 1);
  }

  /** The newest checkpoint written before epoch {@code since}, whose loss was in bounds. */
  private String lastGood(TrainingRun run, int since) {
    List<Integer> good = checkpoints.completeEpochs();
    good.removeIf(e -> e >= since);
    if (good.isEmpty()) {
      return "none";
    }
    int epoch = good.get(good.size() - 1);
    return "epoch "
        + epoch
        + " ("
        + run.runDir().resolve("checkpoints").resolve(Checkpoints.name(epoch))
        + ")";
  }
}
