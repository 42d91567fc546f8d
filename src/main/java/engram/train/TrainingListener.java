package engram.train;

import java.io.IOException;

/**
 * Hooks the {@link Trainer} calls at the edges of a run, of its epochs and of its batches, as
 * Keras' callbacks and DJL's TrainingListener do. Checkpoints, the metrics CSV, the learning-rate
 * schedule, early stopping, the divergence check and the memory monitor are listeners, and so can
 * be a user's own ({@link Trainer#addListener}). Every method does nothing by default.
 *
 * <p>Order of calls: {@code onTrainBegin}; for each epoch {@code onEpochBegin}, {@code
 * onBatchBegin} and {@code onBatchEnd} for each batch, then {@code onEpochEnd} after validation;
 * {@code onTrainEnd} after the test evaluation. Listeners run in this order: learning-rate
 * schedule, divergence check, memory monitor, the user's (in the order added), checkpoints, metrics
 * CSV, early stopping. So what a listener changes through {@link TrainingRun#update} is saved with
 * the epoch's checkpoint, and a resumed run continues as the uninterrupted one would.
 */
public interface TrainingListener {

  /** Once, after the graph is built and a resumed run's weights are restored. */
  default void onTrainBegin(TrainingRun run) throws IOException {}

  /** Before the first batch of {@code epoch} (1-based). */
  default void onEpochBegin(TrainingRun run, int epoch) throws IOException {}

  /** Before training step {@code step} runs; its result is still null. */
  default void onBatchBegin(TrainingRun run, Step step) {}

  /**
   * After training step {@code step}; its result holds the batch's loss and accuracy. Those wait on
   * the device until the trainer fetches them ({@code train.fetchEvery}), so this call may come
   * after later steps began; every step still gets one, in step order, before its epoch ends.
   */
  default void onBatchEnd(TrainingRun run, Step step) {}

  /**
   * After {@code metrics.epoch()} was trained and validated; {@link TrainingRun#state()} already
   * counts it (history, steps, best validation loss).
   */
  default void onEpochEnd(TrainingRun run, EpochMetrics metrics) throws IOException {}

  /** Once, after the test evaluation; {@code result} is what {@code result.json} records. */
  default void onTrainEnd(TrainingRun run, TrainResult result) throws IOException {}

  /**
   * One training step.
   *
   * @param epoch 1-based
   * @param batch 1-based index of the batch in its epoch
   * @param batches batches in the epoch
   * @param globalStep steps the run took before this one
   * @param result loss (mean over the batch), correct and size; null in {@code onBatchBegin}
   */
  record Step(
      int epoch, int batch, int batches, long globalStep, TrainingGraph.BatchResult result) {}
}
