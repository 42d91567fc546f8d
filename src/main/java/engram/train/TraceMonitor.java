package engram.train;

import engram.data.Batch;
import engram.data.Batches;
import engram.data.Dataset;
import engram.data.Subset;
import engram.io.AtomicFiles;
import engram.io.FileProblem;
import engram.models.Model;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Watches the model's memory during training: at the end of every epoch it runs a fixed sample of
 * up to 64 validation examples through the evaluation path and records
 *
 * <ul>
 *   <li>{@code trace-stats.csv}, one row per epoch: mean |value|, max, min, standard deviation and
 *       the fraction of near-zero entries (|value| &lt; 0.01, the reference monitor's "sparsity")
 *       of the ENN's trace after the sample's last step (with a trace per example: of every
 *       example's) (H-Mem: of the association matrices of the sample's stories), and for the ENN
 *       the attention's entropy (nats, averaged over examples and steps) and its effective number
 *       of active slots (exp of the entropy);
 *   <li>{@code trace.h5}: per epoch the ENN's final trace {@code /trace/epoch_NNNN [M, H]} (a trace
 *       per example: the first example's) and the first example's attention {@code
 *       /attention/epoch_NNNN [T, M]}, plus the latest epoch's per-step trace {@code /trace_steps
 *       [T, M, H]}; for H-Mem the first story's association matrix {@code /memory/epoch_NNNN [m,
 *       m]}.
 * </ul>
 *
 * Both files are rewritten atomically each epoch, and reloaded when a run resumes.
 */
public final class TraceMonitor implements TrainingListener {

  public static final String STATS = "trace-stats.csv";
  public static final String ARRAYS = "trace.h5";
  public static final double NEAR_ZERO = 0.01;
  static final int SAMPLE = 64;

  static final String[] HEADER = {
    "epoch",
    "mean_abs",
    "max",
    "min",
    "std",
    "near_zero_fraction",
    "attention_entropy_nats",
    "effective_slots"
  };

  /** One epoch's statistics; the attention columns are NaN for H-Mem. */
  public record Stats(
      int epoch,
      double meanAbs,
      double max,
      double min,
      double std,
      double nearZero,
      double attentionEntropy,
      double effectiveSlots) {}

  private final Path runDir;
  private final Dataset sample;
  private final List<Stats> history = new ArrayList<>();
  private final Map<String, float[][]> arrays = new TreeMap<>();
  private float[][][] traceSteps;

  /** Monitors on the first (up to) 64 examples of {@code source}. */
  TraceMonitor(Path runDir, Dataset source) {
    this.runDir = runDir;
    this.sample = new Subset(source, IntStream.range(0, Math.min(SAMPLE, source.size())).toArray());
  }

  @Override
  public void onTrainBegin(TrainingRun run) throws IOException {
    restore(run.state().epoch());
  }

  @Override
  public void onEpochEnd(TrainingRun run, EpochMetrics metrics) throws IOException {
    record(run.graph(), metrics.epoch(), run.config().train().seed());
  }

  /** Reloads what earlier epochs (up to {@code epochs}) recorded, for a resumed run. */
  void restore(int epochs) throws IOException {
    Path csv = runDir.resolve(STATS);
    Path h5 = runDir.resolve(ARRAYS);
    Path reading = csv;
    try {
      if (Files.exists(csv)) {
        for (Stats s : readStats(csv)) {
          if (s.epoch() <= epochs) {
            history.add(s);
          }
        }
      }
      reading = h5;
      if (Files.exists(h5)) {
        readArrays(h5)
            .forEach(
                (group, byEpoch) ->
                    byEpoch.headMap(epochs, true).forEach((e, a) -> arrays.put(key(group, e), a)));
      }
    } catch (RuntimeException damaged) {
      throw new FileProblem(
          reading,
          "damaged ("
              + FileProblem.reason(damaged)
              + "); it only records the memory monitor: move it away to start that record afresh,"
              + " the checkpoints are unaffected",
          damaged);
    }
  }

  /**
   * The per-epoch arrays of a {@code trace.h5}: group ({@code trace}, {@code attention}, {@code
   * memory}) to epoch to array.
   */
  public static Map<String, TreeMap<Integer, float[][]>> readArrays(Path h5) throws IOException {
    Map<String, TreeMap<Integer, float[][]>> out = new TreeMap<>();
    try (HdfFile file = new HdfFile(h5)) {
      for (String group : List.of("trace", "attention", "memory")) {
        TreeMap<Integer, float[][]> byEpoch = new TreeMap<>();
        if (file.getChildren().containsKey(group)) {
          for (String name : ((Group) file.getChild(group)).getChildren().keySet()) {
            byEpoch.put(
                Integer.parseInt(name.substring("epoch_".length())),
                (float[][]) file.getDatasetByPath(group + "/" + name).getData());
          }
        }
        out.put(group, byEpoch);
      }
    }
    return out;
  }

  private static String key(String group, int epoch) {
    return String.format(Locale.ROOT, "%s/epoch_%04d", group, epoch);
  }

  /** Records epoch {@code epoch} from {@code g}'s evaluation path and rewrites both files. */
  void record(TrainingGraph g, int epoch, long seed) throws IOException {
    Batch batch = Batch.forDataset(sample, sample.size());
    Batches.inOrder(sample, sample.size()).fill(0, batch);
    Map<String, TrainingGraph.Array> memory = g.memory(batch, new long[] {seed, -1});
    TrainingGraph.Array trace = memory.get(Model.TRACE);
    if (trace != null) {
      // [T, M, H] for the shared trace, [T, B, M, H] for a trace per example: the heat maps show
      // the first example's, the statistics cover every example's trace after its last step.
      long[] shape = trace.shape();
      int r = shape.length;
      int steps = (int) shape[0];
      int slots = (int) shape[r - 2];
      int width = (int) shape[r - 1];
      int perStep = trace.values().length / steps;
      traceSteps = new float[steps][slots][width];
      for (int t = 0; t < steps; t++) {
        for (int m = 0; m < slots; m++) {
          System.arraycopy(trace.values(), t * perStep + m * width, traceSteps[t][m], 0, width);
        }
      }
      float[] last = Arrays.copyOfRange(trace.values(), (steps - 1) * perStep, steps * perStep);
      TrainingGraph.Array attention = memory.get(Model.ATTENTION); // [T, B, M]
      arrays.put(key("trace", epoch), traceSteps[steps - 1]);
      arrays.put(key("attention", epoch), firstExample(attention));
      history.add(stats(epoch, last, attention.values(), slots));
    } else {
      TrainingGraph.Array associations = memory.get(Model.MEMORY); // [B, m, m]
      int m = (int) associations.shape()[1];
      float[][] first = new float[m][m];
      for (int i = 0; i < m; i++) {
        System.arraycopy(associations.values(), i * m, first[i], 0, m);
      }
      arrays.put(key("memory", epoch), first);
      history.add(stats(epoch, associations.values(), null, 0));
    }
    write();
  }

  /** The attention of the first example, {@code [T, M]}, out of {@code [T, B, M]}. */
  private static float[][] firstExample(TrainingGraph.Array attention) {
    int steps = (int) attention.shape()[0];
    int batch = (int) attention.shape()[1];
    int slots = (int) attention.shape()[2];
    float[][] out = new float[steps][slots];
    for (int t = 0; t < steps; t++) {
      System.arraycopy(attention.values(), t * batch * slots, out[t], 0, slots);
    }
    return out;
  }

  /**
   * The statistics of {@code values} and, when given, of {@code attention} (rows of {@code slots}
   * probabilities): mean entropy {@code -sum a ln a} and mean {@code exp(entropy)}.
   */
  static Stats stats(int epoch, float[] values, float[] attention, int slots) {
    double sumAbs = 0;
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    int near = 0;
    for (float v : values) {
      sumAbs += Math.abs(v);
      sum += v;
      max = Math.max(max, v);
      min = Math.min(min, v);
      if (Math.abs(v) < NEAR_ZERO) {
        near++;
      }
    }
    int n = values.length;
    double mean = sum / n;
    double var = 0;
    for (float v : values) {
      var += (v - mean) * (v - mean);
    }
    double entropy = Double.NaN;
    double effective = Double.NaN;
    if (attention != null) {
      int rows = attention.length / slots;
      double h = 0;
      double e = 0;
      for (int r = 0; r < rows; r++) {
        double rowEntropy = 0;
        for (int k = 0; k < slots; k++) {
          double a = attention[r * slots + k];
          if (a > 0) {
            rowEntropy -= a * Math.log(a);
          }
        }
        h += rowEntropy;
        e += Math.exp(rowEntropy);
      }
      entropy = h / rows;
      effective = e / rows;
    }
    return new Stats(
        epoch, sumAbs / n, max, min, Math.sqrt(var / n), (double) near / n, entropy, effective);
  }

  /** The statistics of {@code epoch}, or null when it was not recorded. */
  public Stats stats(int epoch) {
    return history.stream().filter(s -> s.epoch() == epoch).findFirst().orElse(null);
  }

  /** The trace after the sample (H-Mem: the first association matrix) at {@code epoch}, or null. */
  public float[][] heatMap(int epoch) {
    float[][] trace = arrays.get(key("trace", epoch));
    return trace != null ? trace : arrays.get(key("memory", epoch));
  }

  /** The statistics recorded so far. */
  public List<Stats> history() {
    return List.copyOf(history);
  }

  private void write() throws IOException {
    AtomicFiles.writeCsv(
        runDir.resolve(STATS),
        HEADER,
        csv -> {
          for (Stats s : history) {
            csv.printRecord(
                s.epoch(),
                g(s.meanAbs()),
                g(s.max()),
                g(s.min()),
                g(s.std()),
                g(s.nearZero()),
                Double.isNaN(s.attentionEntropy()) ? "" : g(s.attentionEntropy()),
                Double.isNaN(s.effectiveSlots()) ? "" : g(s.effectiveSlots()));
          }
        });

    Path tmp = runDir.resolve("." + ARRAYS + ".tmp");
    Files.deleteIfExists(tmp);
    try (WritableHdfFile file = HdfFile.write(tmp)) {
      Map<String, WritableGroup> groups = new TreeMap<>();
      for (Map.Entry<String, float[][]> e : arrays.entrySet()) {
        String[] parts = e.getKey().split("/");
        groups.computeIfAbsent(parts[0], file::putGroup).putDataset(parts[1], e.getValue());
      }
      if (traceSteps != null) {
        file.putDataset("trace_steps", traceSteps);
      }
    } catch (RuntimeException e) {
      // jhdf reports write errors (a full disk) as its own unchecked exception
      Files.deleteIfExists(tmp);
      throw FileProblem.cannotWrite(runDir.resolve(ARRAYS), e, null);
    }
    AtomicFiles.move(tmp, runDir.resolve(ARRAYS));
  }

  private static String g(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  /** Reads {@code trace-stats.csv}. */
  public static List<Stats> readStats(Path csv) throws IOException {
    List<Stats> out = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(csv)) {
      for (CSVRecord r :
          CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(in)) {
        out.add(
            new Stats(
                Integer.parseInt(r.get("epoch")),
                Double.parseDouble(r.get("mean_abs")),
                Double.parseDouble(r.get("max")),
                Double.parseDouble(r.get("min")),
                Double.parseDouble(r.get("std")),
                Double.parseDouble(r.get("near_zero_fraction")),
                parseOrNaN(r.get("attention_entropy_nats")),
                parseOrNaN(r.get("effective_slots"))));
      }
    }
    return out;
  }

  private static double parseOrNaN(String s) {
    return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
  }
}
