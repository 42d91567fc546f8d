package engram.experiments;

import engram.data.Dataset;
import engram.data.Splits;
import engram.data.Target;
import engram.io.AtomicFiles;
import engram.io.RunLock;
import engram.models.ModelType;
import engram.runtime.Progress;
import engram.train.RunConfig;
import engram.train.TraceMonitor;
import engram.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.ConfigProto;

/**
 * Runs a {@link MemoryComparison}: every model on every benchmark, each sized to the parameter
 * budget, one ordinary run directory each ({@code <out>/<benchmark>/<model>/}), so finished runs
 * are reused and an interrupted one resumes. After every run it rewrites {@code results.csv} and
 * {@code results.md}: the test score (accuracy, or MSE for a regression), what a memory-free guess
 * scores, the ENN attention's effective number of slots after training, and wall time per epoch.
 */
public final class MemorySuite {

  private static final Logger LOG = LoggerFactory.getLogger(MemorySuite.class);

  /**
   * One (benchmark, model) run.
   *
   * @param metric {@code accuracy} (higher is better) or {@code mse} (lower is better)
   * @param test the test split's score in {@code metric}
   * @param bestValidation the best epoch's validation score in {@code metric}
   * @param memoryFree what a guess without memory scores on the test split (the majority class, or
   *     the training mean)
   * @param slots the ENN's memory slots M (0 for the baselines)
   * @param keptSlots slots its retrieval may use: k with top-k, else M (0 for the baselines)
   * @param effectiveSlots exp(attention entropy) after the last epoch (NaN for the baselines)
   */
  public record Point(
      String benchmark,
      String model,
      String metric,
      int units,
      long parameters,
      double test,
      double bestValidation,
      double memoryFree,
      int epochs,
      double secondsPerEpoch,
      int slots,
      int keptSlots,
      double effectiveSlots) {}

  private final MemoryComparison comparison;
  private final Path dataDir;
  private final Path out;
  private final Progress progress;
  private final ConfigProto sessionConfig;

  public MemorySuite(
      MemoryComparison comparison,
      Path dataDir,
      Path out,
      Progress progress,
      ConfigProto sessionConfig) {
    this.comparison = comparison;
    this.dataDir = dataDir;
    this.out = out;
    this.progress = progress;
    this.sessionConfig = sessionConfig;
  }

  /** Directory of the run of {@code model} on {@code benchmark}. */
  public static Path runDir(Path out, String benchmark, String model) {
    return out.resolve(benchmark).resolve(model);
  }

  /** One run as it will be trained: the width the budget gives and the resulting count. */
  public record Planned(
      String benchmark, String model, int units, long parameters, int trainExamples, int steps) {}

  /** Every run's size, without training: what {@link #run} would train. */
  public List<Planned> plan() throws IOException {
    List<Planned> out = new ArrayList<>();
    for (String benchmark : comparison.benchmarks().keySet()) {
      Splits splits = null;
      for (String model : comparison.models().keySet()) {
        RunConfig unsized = comparison.unsized(model, benchmark, "comparison");
        if (splits == null) {
          splits = Splits.load(unsized.data(), dataDir);
        }
        Dataset train = splits.train();
        RunConfig config = sized(unsized, train);
        out.add(
            new Planned(
                benchmark,
                model,
                config.model().units().get(0),
                ParameterBudget.count(config.model(), train.inputs(), train.target().outputs()),
                train.size(),
                train.inputs().get(0).shape()[0]));
      }
    }
    return out;
  }

  /**
   * Trains (or reuses) every model on every benchmark, benchmark by benchmark; with {@code
   * finishedOnly} nothing trains and only finished runs are reported.
   */
  public List<Point> run(boolean finishedOnly) throws IOException {
    try (RunLock lock = RunLock.acquire(out, "--out")) {
      List<Point> points = new ArrayList<>();
      for (String benchmark : comparison.benchmarks().keySet()) {
        Splits splits = null; // loaded once per benchmark, when a run needs it
        for (String model : comparison.models().keySet()) {
          RunConfig unsized = comparison.unsized(model, benchmark, "comparison");
          Path dir = runDir(out, benchmark, model);
          if (splits == null) {
            splits = Splits.load(unsized.data(), dataDir);
          }
          RunConfig config = sized(unsized, splits.train());
          FinishedRun.checkConfig(dir, config);
          if (FinishedRun.read(dir) == null) {
            if (finishedOnly) {
              LOG.info("{} on {}: not finished, left out", model, benchmark);
              continue;
            }
            // the trainer logs the parameter count as it builds the model
            LOG.info("{} on {}: {} units", model, benchmark, config.model().units().get(0));
            new Trainer(config, splits, dir, progress, sessionConfig).run(true);
          }
          points.add(point(benchmark, model, config, splits, dir));
          write(points);
        }
      }
      return points;
    }
  }

  private RunConfig sized(RunConfig unsized, Dataset train) {
    int units =
        ParameterBudget.unitsFor(
            unsized.model(),
            train.inputs(),
            train.target().outputs(),
            comparison.parameterBudget());
    return new RunConfig(
        unsized.description(),
        ParameterBudget.withUnits(unsized.model(), units),
        unsized.train(),
        unsized.data());
  }

  private static Point point(
      String benchmark, String model, RunConfig config, Splits splits, Path dir)
      throws IOException {
    FinishedRun run = FinishedRun.read(dir);
    boolean regression = splits.test().target().kind() == Target.Kind.VALUES;
    int slots = 0;
    int kept = 0;
    double effective = Double.NaN;
    if (config.model().type() == ModelType.ENN) {
      slots = config.model().engram().memorySize();
      kept = config.model().engram().keptSlots();
      Path stats = dir.resolve(TraceMonitor.STATS);
      if (Files.exists(stats)) {
        List<TraceMonitor.Stats> history = TraceMonitor.readStats(stats);
        effective =
            history.isEmpty() ? Double.NaN : history.get(history.size() - 1).effectiveSlots();
      }
    }
    return new Point(
        benchmark,
        model,
        regression ? "mse" : "accuracy",
        config.model().units().get(0),
        run.trainableParameters(),
        regression ? run.testLoss() : run.testAccuracy(),
        regression ? run.bestValidationLoss() : run.bestValidationAccuracy(),
        memoryFree(splits),
        run.epochs(),
        run.meanEpochSeconds(),
        slots,
        kept,
        effective);
  }

  /**
   * The test score of a guess that ignores the sequence: the training split's most frequent class
   * (its frequency among the test targets), or for a regression the MSE of the training mean.
   */
  static double memoryFree(Splits splits) {
    Target target = splits.train().target();
    int per = target.size();
    if (target.kind() == Target.Kind.VALUES) {
      double mean = 0;
      long n = 0;
      float[] v = new float[per];
      for (int i = 0; i < splits.train().size(); i++) {
        splits.train().copyTargetValues(i, v, 0);
        for (float x : v) {
          mean += x;
          n++;
        }
      }
      mean /= n;
      double sse = 0;
      long m = 0;
      for (int i = 0; i < splits.test().size(); i++) {
        splits.test().copyTargetValues(i, v, 0);
        for (float x : v) {
          sse += (x - mean) * (x - mean);
          m++;
        }
      }
      return sse / m;
    }
    long[] trainCounts = classCounts(splits.train(), target);
    int majority = 0;
    for (int c = 1; c < trainCounts.length; c++) {
      majority = trainCounts[c] > trainCounts[majority] ? c : majority;
    }
    long[] testCounts = classCounts(splits.test(), target);
    long total = java.util.Arrays.stream(testCounts).sum();
    return (double) testCounts[majority] / total;
  }

  private static long[] classCounts(Dataset data, Target target) {
    long[] counts = new long[target.classes()];
    int[] t = new int[target.size()];
    for (int i = 0; i < data.size(); i++) {
      data.copyTargets(i, t, 0);
      for (int c : t) {
        if (c != Target.IGNORE) {
          counts[c]++;
        }
      }
    }
    return counts;
  }

  /** The columns of {@code results.csv}, one row per benchmark and model. */
  private static final String[] CSV_HEADER = {
    "benchmark",
    "model",
    "metric",
    "test",
    "best_validation",
    "memory_free_test",
    "units",
    "parameters",
    "epochs",
    "seconds_per_epoch",
    "slots",
    "kept_slots",
    "effective_slots"
  };

  private void write(List<Point> points) throws IOException {
    AtomicFiles.writeCsv(
        out.resolve("results.csv"),
        CSV_HEADER,
        p -> {
          for (Point pt : points) {
            p.printRecord(
                pt.benchmark(),
                pt.model(),
                pt.metric(),
                fmt(pt.test()),
                fmt(pt.bestValidation()),
                fmt(pt.memoryFree()),
                pt.units(),
                pt.parameters(),
                pt.epochs(),
                String.format(Locale.ROOT, "%.1f", pt.secondsPerEpoch()),
                pt.slots() == 0 ? "" : pt.slots(),
                pt.keptSlots() == 0 ? "" : pt.keptSlots(),
                Double.isNaN(pt.effectiveSlots())
                    ? ""
                    : String.format(Locale.ROOT, "%.2f", pt.effectiveSlots()));
          }
        });
    AtomicFiles.writeString(out.resolve("results.md"), markdown(points));
  }

  /** The score table (benchmarks by models, best in bold), then slots and timing. */
  String markdown(List<Point> points) {
    List<String> models = List.copyOf(comparison.models().keySet());
    StringBuilder md = new StringBuilder();
    md.append(comparison.description().isEmpty() ? "Memory comparison." : comparison.description())
        .append(
            String.format(
                Locale.ROOT,
                "%n%nEvery model has one recurrent layer sized to %,d trainable parameters (±"
                    + " one unit); training recipe %s.%n%n",
                comparison.parameterBudget(),
                comparison.train()));
    md.append("| benchmark | metric | ");
    models.forEach(m -> md.append(m).append(" | "));
    md.append("memory-free guess |\n|---|---|");
    models.forEach(m -> md.append("---|"));
    md.append("---|\n");
    for (String b : comparison.benchmarks().keySet()) {
      List<Point> row = points.stream().filter(p -> p.benchmark().equals(b)).toList();
      if (row.isEmpty()) {
        continue;
      }
      boolean lower = row.get(0).metric().equals("mse");
      double best =
          row.stream().mapToDouble(Point::test).reduce(lower ? Math::min : Math::max).orElseThrow();
      md.append("| ").append(b).append(" | ").append(lower ? "test MSE ↓" : "test acc ↑");
      md.append(" | ");
      for (String m : models) {
        Point p = row.stream().filter(x -> x.model().equals(m)).findFirst().orElse(null);
        String v = p == null ? "" : fmt(p.test());
        md.append(p != null && p.test() == best ? "**" + v + "**" : v).append(" | ");
      }
      md.append(fmt(row.get(0).memoryFree())).append(" |\n");
    }
    md.append(
        "\n| benchmark | model | units | parameters | epochs | s/epoch | best val |"
            + " slots M | kept k | effective slots |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Point p : points) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %,d | %d | %.1f | %s | %s | %s | %s |%n",
              p.benchmark(),
              p.model(),
              p.units(),
              p.parameters(),
              p.epochs(),
              p.secondsPerEpoch(),
              fmt(p.bestValidation()),
              p.slots() == 0 ? "" : p.slots(),
              p.keptSlots() == 0 ? "" : p.keptSlots(),
              Double.isNaN(p.effectiveSlots())
                  ? ""
                  : String.format(Locale.ROOT, "%.2f", p.effectiveSlots())));
    }
    md.append(
        "\nEffective slots: exp of the attention's entropy, averaged over 64 validation"
            + " sequences and their steps, after the last epoch (the monitor's trace-stats.csv);"
            + " M means uniform attention, 1 one slot per read.\n");
    return md.toString();
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
  }

  /** Model names in order, for figures. */
  public List<String> models() {
    return List.copyOf(comparison.models().keySet());
  }

  /** Benchmark names in order, for figures. */
  public List<String> benchmarks() {
    return List.copyOf(comparison.benchmarks().keySet());
  }
}
