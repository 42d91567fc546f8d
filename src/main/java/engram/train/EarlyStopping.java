package engram.train;

/**
 * Keras {@code EarlyStopping(monitor="val_loss", min_delta=0, patience)}: stops the run once the
 * validation loss has not reached a new low for {@code patience} epochs. The best epoch is the
 * trainer's state, so a resumed run counts on from where it stopped.
 */
final class EarlyStopping implements TrainingListener {

  private final int patience;

  EarlyStopping(int patience) {
    this.patience = patience;
  }

  @Override
  public void onEpochEnd(TrainingRun run, EpochMetrics metrics) {
    int since = run.state().epochsSinceBest();
    if (since >= patience) {
      run.stop("early stopping: no validation-loss improvement for " + since + " epochs");
    }
  }
}
