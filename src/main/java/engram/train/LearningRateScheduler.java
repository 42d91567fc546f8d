package engram.train;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link LrSchedule} at each epoch's end: the rate of the next epoch, and the plateau
 * memory, go into the run's state (and so into the epoch's checkpoint).
 */
final class LearningRateScheduler implements TrainingListener {

  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final LrSchedule schedule;

  LearningRateScheduler(LrSchedule schedule) {
    this.schedule = schedule;
  }

  @Override
  public void onEpochEnd(TrainingRun run, EpochMetrics metrics) {
    TrainerState s = run.state();
    LrSchedule.Decision next =
        schedule.next(metrics.epoch(), s.learningRate(), metrics.valLoss(), s.plateau());
    if (next.learningRate() != s.learningRate()) {
      LOG.info(
          String.format(
              Locale.ROOT, "learning rate %.3g -> %.3g", s.learningRate(), next.learningRate()));
    }
    run.update(state -> state.withSchedule(next));
  }
}
