package engram.data;

import java.util.Locale;

/**
 * Which data a run trains on.
 *
 * @param dataset data set name; {@code mnist} for now
 * @param view how an example becomes a sequence: {@code rows} (MNIST: 28 steps of 28 pixels, the
 *     ENN paper's setting) or {@code pixels} (784 steps of 1)
 * @param validationFraction share of the training file held out for validation (the paper's
 *     notebooks: 0.1, i.e. 54,000 / 6,000)
 * @param splitSeed seed of the shuffle that picks the validation examples
 * @param trainLimit use only the first N training-file examples (0 = all); for smoke runs
 * @param testLimit use only the first N test examples (0 = all)
 */
public record DataConfig(
    String dataset,
    String view,
    double validationFraction,
    long splitSeed,
    int trainLimit,
    int testLimit) {

  public DataConfig {
    if (dataset == null || !dataset.toLowerCase(Locale.ROOT).equals("mnist")) {
      throw new IllegalArgumentException(
          "data.dataset '" + dataset + "' is not supported; supported: mnist");
    }
    dataset = dataset.toLowerCase(Locale.ROOT);
    if (view == null) {
      view = "rows";
    }
    view = view.toLowerCase(Locale.ROOT);
    if (!view.equals("rows") && !view.equals("pixels")) {
      throw new IllegalArgumentException("data.view must be rows or pixels, got '" + view + "'");
    }
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "data.validationFraction must be in [0, 1), got " + validationFraction);
    }
    if (trainLimit < 0 || testLimit < 0) {
      throw new IllegalArgumentException(
          "data.trainLimit and data.testLimit must be >= 0 (0 = all), got "
              + trainLimit
              + " and "
              + testLimit);
    }
  }

  /** MNIST, rows as time steps, 10 % validation, split seed 42 (the notebooks' random_state). */
  public static DataConfig mnistDefaults() {
    return new DataConfig("mnist", "rows", 0.1, 42, 0, 0);
  }
}
