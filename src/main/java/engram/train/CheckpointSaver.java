package engram.train;

import java.io.IOException;

/**
 * Saves every epoch's weights, optimizer slots and trainer state as a checkpoint ({@link
 * Checkpoints}), sparing the one a listener asks to keep (the last good one while the loss is out
 * of bounds).
 */
final class CheckpointSaver implements TrainingListener {

  private final Checkpoints checkpoints;

  CheckpointSaver(Checkpoints checkpoints) {
    this.checkpoints = checkpoints;
  }

  @Override
  public void onEpochEnd(TrainingRun run, EpochMetrics metrics) throws IOException {
    checkpoints.save(run.graph(), run.state(), run.sparedCheckpoint());
  }
}
