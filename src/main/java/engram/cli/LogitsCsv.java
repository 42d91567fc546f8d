package engram.cli;

import engram.data.Dataset;
import engram.io.AtomicFiles;
import engram.tasks.Classification;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The per-example CSV of {@code evaluate --logits} and {@code predict --out}: {@code label,
 * predicted, logit_0 .. logit_{C-1}}, one row per example in dataset order, written atomically.
 */
final class LogitsCsv {

  private LogitsCsv() {}

  /**
   * Writes {@code logits} ({@code n x classes}, row-major) for the first n examples of {@code set}.
   */
  static void write(Path file, Dataset set, float[] logits, int classes) throws IOException {
    int n = logits.length / classes;
    String[] header = new String[classes + 2];
    header[0] = "label";
    header[1] = "predicted";
    for (int k = 0; k < classes; k++) {
      header[k + 2] = "logit_" + k;
    }
    AtomicFiles.writeCsv(
        file,
        header,
        csv -> {
          Object[] row = new Object[header.length];
          for (int i = 0; i < n; i++) {
            row[0] = set.label(i);
            row[1] = Classification.argMax(logits, i, classes);
            for (int k = 0; k < classes; k++) {
              row[k + 2] = logits[i * classes + k];
            }
            csv.printRecord(row);
          }
        });
  }
}
