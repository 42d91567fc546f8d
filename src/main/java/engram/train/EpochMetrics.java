package engram.train;

/**
 * One row of {@code metrics.csv}.
 *
 * @param epoch 1-based
 * @param trainLoss mean cross-entropy over the epoch's training batches (nats per example)
 * @param trainAccuracy fraction of training examples classified correctly during the epoch
 * @param valLoss mean cross-entropy on the validation split after the epoch
 * @param valAccuracy validation accuracy after the epoch
 * @param learningRate rate used during the epoch
 * @param seconds wall time of the epoch, validation included
 * @param msPerStep mean wall time of one training step (ms)
 */
public record EpochMetrics(
    int epoch,
    double trainLoss,
    double trainAccuracy,
    double valLoss,
    double valAccuracy,
    double learningRate,
    double seconds,
    double msPerStep) {}
