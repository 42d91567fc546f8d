package engram.viz;

import engram.io.FileProblem;
import engram.train.TraceMonitor;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * What a run directory recorded, as the figures need it: the per-epoch training metrics ({@code
 * metrics.csv}), the memory statistics ({@code trace-stats.csv}) and the memory arrays ({@code
 * trace.h5}, by epoch). The monitor's parts are empty when the run did not monitor.
 *
 * @param epochs epoch numbers of {@code metrics.csv}
 * @param metrics columns of {@code metrics.csv} by name (train_loss, val_accuracy, ...)
 * @param stats rows of {@code trace-stats.csv}
 * @param traces the ENN's final trace {@code [M][H]} by epoch
 * @param attention the first sample's attention {@code [T][M]} by epoch
 * @param memories H-Mem's first association matrix {@code [m][m]} by epoch
 */
public record RunRecord(
    double[] epochs,
    Map<String, double[]> metrics,
    List<TraceMonitor.Stats> stats,
    TreeMap<Integer, float[][]> traces,
    TreeMap<Integer, float[][]> attention,
    TreeMap<Integer, float[][]> memories) {

  /** Reads {@code runDir}; it must hold {@code metrics.csv} at least. */
  public static RunRecord read(Path runDir) throws IOException {
    Path metricsFile = runDir.resolve("metrics.csv");
    if (!Files.isDirectory(runDir)) {
      throw new FileProblem(
          runDir,
          "no such run directory; --run takes the --out directory of an earlier engram train");
    }
    if (!Files.exists(metricsFile)) {
      throw new FileProblem(
          metricsFile,
          "missing: the run has no finished epoch yet (engram train writes it after each epoch)");
    }
    List<CSVRecord> rows;
    List<String> header;
    try (Reader in = Files.newBufferedReader(metricsFile)) {
      var parser =
          CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(in);
      header = parser.getHeaderNames();
      rows = parser.getRecords();
    }
    double[] epochs = rows.stream().mapToDouble(r -> Double.parseDouble(r.get("epoch"))).toArray();
    Map<String, double[]> metrics = new TreeMap<>();
    for (String column : header) {
      metrics.put(
          column,
          rows.stream()
              .mapToDouble(
                  r -> r.get(column).isEmpty() ? Double.NaN : Double.parseDouble(r.get(column)))
              .toArray());
    }
    Path statsFile = runDir.resolve(TraceMonitor.STATS);
    List<TraceMonitor.Stats> stats =
        Files.exists(statsFile) ? TraceMonitor.readStats(statsFile) : List.of();
    Path arrays = runDir.resolve(TraceMonitor.ARRAYS);
    Map<String, TreeMap<Integer, float[][]>> recorded =
        Files.exists(arrays) ? TraceMonitor.readArrays(arrays) : Map.of();
    TreeMap<Integer, float[][]> traces = recorded.getOrDefault("trace", new TreeMap<>());
    TreeMap<Integer, float[][]> attention = recorded.getOrDefault("attention", new TreeMap<>());
    TreeMap<Integer, float[][]> memories = recorded.getOrDefault("memory", new TreeMap<>());
    return new RunRecord(epochs, metrics, stats, traces, attention, memories);
  }

  /** The values of {@code metrics.csv} column {@code name}, one per epoch. */
  public double[] metric(String name) {
    double[] v = metrics.get(name);
    if (v == null) {
      throw new IllegalArgumentException("metrics.csv has no column " + name);
    }
    return v;
  }

  /** The epoch numbers of {@code trace-stats.csv}. */
  public double[] statEpochs() {
    return stats.stream().mapToDouble(TraceMonitor.Stats::epoch).toArray();
  }

  /** A list of one statistic over the recorded epochs. */
  public double[] stat(java.util.function.ToDoubleFunction<TraceMonitor.Stats> f) {
    return stats.stream().mapToDouble(f).toArray();
  }

  static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }
}
