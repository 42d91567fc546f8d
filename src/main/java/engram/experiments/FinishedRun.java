package engram.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import engram.train.RunConfig;
import engram.train.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a finished run directory of a suite holds: the test score of {@code result.json} and the
 * validation accuracy of every epoch in {@code metrics.csv}. The suites read it to skip runs done
 * earlier, so a suite resumes where it stopped.
 *
 * @param testLoss the test split's mean loss (a regression's MSE)
 * @param validationAccuracies per epoch, in order
 * @param validationLosses per epoch, in order
 */
record FinishedRun(
    double testAccuracy,
    double testLoss,
    int epochs,
    double meanEpochSeconds,
    long trainableParameters,
    List<Double> validationAccuracies,
    List<Double> validationLosses) {

  private static final Logger LOG = LoggerFactory.getLogger(FinishedRun.class);
  private static final int VAL_LOSS_COLUMN = 3; // MetricsCsv's val_loss
  private static final int VAL_ACCURACY_COLUMN = 4; // and val_accuracy

  FinishedRun {
    validationAccuracies = List.copyOf(validationAccuracies);
    validationLosses = List.copyOf(validationLosses);
  }

  /**
   * The run in {@code dir}, or null when it has not finished. A damaged file also gives null: the
   * run's checkpoints are what matter, and resuming it scores the test split again and rewrites
   * both files.
   */
  static FinishedRun read(Path dir) throws IOException {
    Path result = dir.resolve(RunDirectory.RESULT_FILE);
    Path metrics = dir.resolve(RunDirectory.METRICS_FILE);
    if (!Files.exists(result) || !Files.exists(metrics)) {
      return null;
    }
    try {
      JsonNode node = RunConfig.json().readTree(Files.readString(result));
      List<String> rows = Files.readAllLines(metrics);
      List<Double> validation = new ArrayList<>();
      List<Double> losses = new ArrayList<>();
      for (String row : rows.subList(1, rows.size())) {
        String[] cells = row.split(",");
        validation.add(Double.parseDouble(cells[VAL_ACCURACY_COLUMN]));
        losses.add(Double.parseDouble(cells[VAL_LOSS_COLUMN]));
      }
      if (validation.isEmpty()) {
        throw new IllegalStateException("no epochs");
      }
      return new FinishedRun(
          node.get("test_accuracy").asDouble(),
          node.get("test_loss").asDouble(),
          node.get("epochs").asInt(),
          node.get("mean_epoch_seconds").asDouble(),
          node.get("trainable_parameters").asLong(),
          validation,
          losses);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException damaged) {
      LOG.warn("{} or {} is damaged; resuming that run to score it again", result, metrics);
      return null;
    }
  }

  /**
   * Refuses to continue or reuse the run in {@code dir} when it was started with another config
   * than {@code expected} (its description aside): a suite must not mix budgets in one table.
   */
  static void checkConfig(Path dir, RunConfig expected) throws IOException {
    Path file = dir.resolve(RunDirectory.CONFIG_FILE);
    if (!Files.exists(file)) {
      return; // not started yet
    }
    JsonNode saved;
    try {
      // Read as the trainer reads it: a config of an earlier engram gets the keys added since
      // at their defaults, so it still matches a preset that does not set them.
      saved =
          RunConfig.json()
              .readTree(RunConfig.fromJson(Files.readString(file), file.toString()).toJson());
    } catch (com.fasterxml.jackson.core.JsonProcessingException
        | IllegalArgumentException damaged) {
      return; // the trainer rewrites it; the checkpoints decide what resumes
    }
    String difference = firstDifference("", RunConfig.json().readTree(expected.toJson()), saved);
    if (difference != null) {
      throw new IllegalArgumentException(
          dir
              + " was trained with another config ("
              + difference
              + "): give the suite another --out, or delete that directory to train the run again");
    }
  }

  /**
   * The first key where {@code a} and {@code b} differ, as {@code key a here, b in the run}, or
   * null.
   */
  private static String firstDifference(String key, JsonNode a, JsonNode b) {
    if (a.isObject() && b.isObject()) {
      var names = new java.util.TreeSet<String>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        if (key.isEmpty() && name.equals("description")) {
          continue; // words, not training
        }
        JsonNode x = a.path(name);
        JsonNode y = b.path(name);
        String d = firstDifference(key.isEmpty() ? name : key + "." + name, x, y);
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    return a.equals(b) ? null : key + " " + a + " here, " + b + " in the run";
  }

  /** Validation accuracy of the last epoch. */
  double lastValidationAccuracy() {
    return validationAccuracies.get(validationAccuracies.size() - 1);
  }

  /** The lowest validation loss of any epoch. */
  double bestValidationLoss() {
    return validationLosses.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
  }

  /** The best validation accuracy of any epoch. */
  double bestValidationAccuracy() {
    return validationAccuracies.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
  }
}
