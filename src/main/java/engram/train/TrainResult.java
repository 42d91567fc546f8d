package engram.train;

import java.nio.file.Path;
import java.util.List;

/**
 * Outcome of a finished run.
 *
 * @param runDir where config, metrics and checkpoints are
 * @param epochs epochs completed
 * @param testLoss mean test cross-entropy (nats per example)
 * @param testAccuracy fraction of test examples classified correctly
 * @param trainableParameters number of trained scalars
 * @param history per-epoch metrics
 * @param testWeights which weights the test used: "last" or "best (epoch k)"
 */
public record TrainResult(
    Path runDir,
    int epochs,
    double testLoss,
    double testAccuracy,
    long trainableParameters,
    List<EpochMetrics> history,
    String testWeights) {

  public TrainResult {
    history = List.copyOf(history);
  }

  /** Mean wall time per epoch in seconds (validation included), over this process' epochs too. */
  public double meanEpochSeconds() {
    return history.stream().mapToDouble(EpochMetrics::seconds).average().orElse(Double.NaN);
  }

  /** Mean training-step time in ms. */
  public double meanMsPerStep() {
    return history.stream().mapToDouble(EpochMetrics::msPerStep).average().orElse(Double.NaN);
  }
}
