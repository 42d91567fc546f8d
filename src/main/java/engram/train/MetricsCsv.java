package engram.train;

import engram.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code metrics.csv}: one row per completed epoch, rewritten atomically from the history at each
 * epoch's end (so a resumed run's file holds exactly the epochs its checkpoint has seen).
 */
final class MetricsCsv implements TrainingListener {

  static final String FILE = "metrics.csv";
  static final String[] HEADER = {
    "epoch",
    "train_loss",
    "train_accuracy",
    "val_loss",
    "val_accuracy",
    "learning_rate",
    "epoch_seconds",
    "ms_per_step"
  };

  @Override
  public void onEpochEnd(TrainingRun run, EpochMetrics metrics) throws IOException {
    write(run.runDir(), run.state().history());
  }

  static void write(Path runDir, List<EpochMetrics> history) throws IOException {
    AtomicFiles.writeCsv(
        runDir.resolve(FILE),
        HEADER,
        csv -> {
          for (EpochMetrics m : history) {
            csv.printRecord(
                m.epoch(),
                fmt(m.trainLoss()),
                fmt(m.trainAccuracy()),
                fmt(m.valLoss()),
                fmt(m.valAccuracy()),
                String.format(Locale.ROOT, "%.6g", m.learningRate()),
                String.format(Locale.ROOT, "%.2f", m.seconds()),
                String.format(Locale.ROOT, "%.2f", m.msPerStep()));
          }
        });
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6f", v);
  }
}
