package engram.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.data.AssociationPairs;
import engram.data.Batch;
import engram.data.Batches;
import engram.data.Dataset;
import engram.data.Splits;
import engram.io.AtomicFiles;
import engram.io.RunLock;
import engram.models.Model;
import engram.models.ModelType;
import engram.runtime.Progress;
import engram.train.RunConfig;
import engram.train.TrainResult;
import engram.train.Trainer;
import engram.train.TrainingGraph;
import engram.train.TrainingListener;
import engram.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.ConfigProto;

/**
 * H-Mem's one-shot image-association experiment (the paper's Figure 2B): for every model, every
 * delay D and every seed one ordinary run directory ({@code <out>/hmem/delay20/}, then {@code
 * delay20-run2/} for the second seed), so finished runs are reused and interrupted ones resume when
 * the suite starts again. After every point it rewrites {@code results.csv} (one row per run) and
 * {@code results.md}: test accuracy against delay for each model, beside the accuracy a model that
 * cannot bind reaches (the generator's bias, {@link AssociationPairs}). For H-Mem runs it also
 * keeps the association matrix the first test story leaves ({@value #TEST_MEMORY}).
 */
public final class AssociationSuite {

  private static final Logger LOG = LoggerFactory.getLogger(AssociationSuite.class);

  /** The first test story's association matrix, {@code m} rows of {@code m} values. */
  public static final String TEST_MEMORY = "test-story-memory.csv";

  /** Outcome of one run: one seed of one model at one delay. */
  public record Run(
      String model,
      int delay,
      int run,
      long seed,
      double testAccuracy,
      double validationAccuracy,
      double bestValidationAccuracy,
      int epochs,
      double trainSeconds,
      long parameters) {}

  /**
   * The runs of one model at one delay. Like the paper's bAbI protocol, the run with the highest
   * final validation accuracy (the weights the test scores) is the one reported; the mean and
   * spread of all runs go beside it, so the choice cannot hide a bad seed.
   */
  public record Point(String model, int delay, List<Run> runs) {
    public Point {
      runs = List.copyOf(runs);
      if (runs.isEmpty()) {
        throw new IllegalArgumentException("a point needs at least one finished run");
      }
    }

    /** The run with the highest final validation accuracy (the first of equals). */
    public Run selected() {
      Run best = runs.get(0);
      for (Run r : runs) {
        best = r.validationAccuracy() > best.validationAccuracy() ? r : best;
      }
      return best;
    }

    /** The selected run's test accuracy: the point on the curve. */
    public double testAccuracy() {
      return selected().testAccuracy();
    }

    public double meanTestAccuracy() {
      return runs.stream().mapToDouble(Run::testAccuracy).average().orElseThrow();
    }

    /** The sample standard deviation of the runs' test accuracies; NaN for one run. */
    public double sdTestAccuracy() {
      double mean = meanTestAccuracy();
      double squares =
          runs.stream()
              .mapToDouble(r -> (r.testAccuracy() - mean) * (r.testAccuracy() - mean))
              .sum();
      return runs.size() < 2 ? Double.NaN : Math.sqrt(squares / (runs.size() - 1));
    }
  }

  /** What the released generator's data hold, whatever the model. */
  public record Statistics(
      int trainSequences,
      int testSequences,
      double digitEqualsClassTrain,
      double digitEqualsClassTest,
      double noBindingTrain,
      double noBindingTest) {

    /** The released data: 5,000 pairs per class for training, 892 (MNIST's fives) for test. */
    public static Statistics released() {
      AssociationPairs train = AssociationPairs.generate(5_000);
      AssociationPairs test = AssociationPairs.generate(892);
      return new Statistics(
          train.size(),
          test.size(),
          train.digitEqualsClass(),
          test.digitEqualsClass(),
          train.queryClassBaseline(train),
          test.queryClassBaseline(train));
    }
  }

  private final Map<String, RunConfig> models;
  private final Path dataDir;
  private final Path out;
  private final Progress progress;
  private final ConfigProto sessionConfig;
  private final Statistics statistics = Statistics.released();

  /**
   * @param models run config of each model, by the name its runs are filed under; each reads the
   *     association dataset (its delay is set per run)
   */
  public AssociationSuite(
      Map<String, RunConfig> models,
      Path dataDir,
      Path out,
      Progress progress,
      ConfigProto sessionConfig) {
    for (Map.Entry<String, RunConfig> e : models.entrySet()) {
      if (!e.getValue().data().dataset().equals("association")) {
        throw new IllegalArgumentException(
            "model "
                + e.getKey()
                + "'s preset trains on "
                + e.getValue().data().dataset()
                + "; the association suite needs data.dataset association");
      }
    }
    this.models = new LinkedHashMap<>(models);
    this.dataDir = dataDir;
    this.out = out;
    this.progress = progress;
    this.sessionConfig = sessionConfig;
  }

  public Statistics statistics() {
    return statistics;
  }

  /**
   * Trains (or reuses) {@code runs} seeds of every model at every delay; returns the points in that
   * order. With {@code finishedOnly} nothing trains: the finished runs are reported and the others
   * left out (a report while runs are still to come).
   */
  public List<Point> run(List<Integer> delays, int runs, boolean finishedOnly) throws IOException {
    if (runs < 1) {
      throw new IllegalArgumentException("--runs must be >= 1, got " + runs);
    }
    try (RunLock lock = RunLock.acquire(out, "--out")) {
      List<Point> points = new ArrayList<>();
      for (Map.Entry<String, RunConfig> m : models.entrySet()) {
        for (int delay : delays) {
          List<Run> done = new ArrayList<>();
          for (int r = 1; r <= runs; r++) {
            Run run =
                finishedOnly
                    ? reused(m.getKey(), delay, r, m.getValue())
                    : runOne(m.getKey(), delay, r, m.getValue());
            if (run == null) {
              LOG.info("{} at delay {}, run {}: not finished, left out", m.getKey(), delay, r);
            } else {
              done.add(run);
            }
          }
          if (!done.isEmpty()) {
            points.add(new Point(m.getKey(), delay, done));
            write(points);
          }
        }
      }
      return points;
    }
  }

  /** The finished run {@code r} of {@code name} at {@code delay} (its config checked), or null. */
  private Run reused(String name, int delay, int r, RunConfig base) throws IOException {
    Path dir = runDir(out, name, delay, r);
    RunConfig config = configAt(base, delay, r);
    FinishedRun.checkConfig(dir, config);
    return finished(name, delay, r, config.train().seed(), dir);
  }

  /** The config of run {@code r} at {@code delay}: the base with the delay and seed set. */
  private static RunConfig configAt(RunConfig base, int delay, int r) {
    ObjectNode patch = RunConfig.json().createObjectNode();
    patch.putObject("data").put("delay", delay);
    patch.putObject("train").put("seed", base.train().seed() + r - 1);
    return base.merged(patch, "association suite");
  }

  /**
   * Directory of run {@code r} (1-based) of {@code model} at {@code delay}: {@code delay20} for the
   * first, {@code delay20-run2} for the second, so a one-run suite's layout stays as it was.
   */
  public static Path runDir(Path out, String model, int delay, int r) {
    String name = String.format(Locale.ROOT, "delay%02d", delay) + (r == 1 ? "" : "-run" + r);
    return out.resolve(model).resolve(name);
  }

  private Run runOne(String name, int delay, int r, RunConfig base) throws IOException {
    Run done = reused(name, delay, r, base);
    if (done != null) {
      LOG.info(
          "{} at delay {}, run {}: finished earlier, test accuracy {}",
          name,
          delay,
          r,
          String.format(Locale.ROOT, "%.4f", done.testAccuracy()));
      return done;
    }
    RunConfig config = configAt(base, delay, r);
    Path dir = runDir(out, name, delay, r);
    LOG.info(
        "{} at delay {}, run {} (seed {}; {} frames per story)",
        name,
        delay,
        r,
        config.train().seed(),
        3 * (delay + 1));
    Splits splits = Splits.load(config.data(), dataDir);
    Trainer trainer = new Trainer(config, splits, dir, progress, sessionConfig);
    trainer.addListener(new TestStoryMemory(splits.test(), dir));
    trainer.run(true);
    Run run = finished(name, delay, r, config.train().seed(), dir);
    if (run == null) {
      throw new IllegalStateException(dir + " holds no result after training");
    }
    return run;
  }

  /** The run a finished run directory holds, or null when it has no result yet. */
  static Run finished(String model, int delay, int r, long seed, Path dir) throws IOException {
    FinishedRun run = FinishedRun.read(dir);
    return run == null
        ? null
        : new Run(
            model,
            delay,
            r,
            seed,
            run.testAccuracy(),
            run.lastValidationAccuracy(),
            run.bestValidationAccuracy(),
            run.epochs(),
            run.meanEpochSeconds() * run.epochs(),
            run.trainableParameters());
  }

  /** Keeps the association matrix of the first test story, with the weights the test used. */
  private static final class TestStoryMemory implements TrainingListener {
    private final Dataset test;
    private final Path dir;

    TestStoryMemory(Dataset test, Path dir) {
      this.test = test;
      this.dir = dir;
    }

    @Override
    public void onTrainEnd(TrainingRun run, TrainResult result) throws IOException {
      if (run.config().model().type() != ModelType.HMEM) {
        return; // no association matrix
      }
      Batch batch = Batch.forDataset(test, 1);
      Batches.inOrder(test, 1).fill(0, batch);
      TrainingGraph.Array memory =
          run.graph().memory(batch, new long[] {run.config().train().seed(), -1}).get(Model.MEMORY);
      int m = (int) memory.shape()[1];
      StringBuilder csv = new StringBuilder();
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < m; j++) {
          csv.append(j == 0 ? "" : ",").append(memory.values()[i * m + j]);
        }
        csv.append('\n');
      }
      AtomicFiles.writeString(dir.resolve(TEST_MEMORY), csv.toString());
    }
  }

  /** The columns of {@code results.csv}, one row per run. */
  private static final String[] CSV_HEADER = {
    "model",
    "delay",
    "frames",
    "run",
    "seed",
    "selected",
    "test_accuracy",
    "final_validation_accuracy",
    "best_validation_accuracy",
    "epochs",
    "train_seconds",
    "parameters",
    "no_binding_test_accuracy"
  };

  private void write(List<Point> points) throws IOException {
    AtomicFiles.writeCsv(
        out.resolve("results.csv"),
        CSV_HEADER,
        p -> {
          for (Point pt : points) {
            for (Run r : pt.runs()) {
              p.printRecord(
                  r.model(),
                  r.delay(),
                  3 * (r.delay() + 1),
                  r.run(),
                  r.seed(),
                  r == pt.selected() ? 1 : 0,
                  fmt(r.testAccuracy()),
                  fmt(r.validationAccuracy()),
                  fmt(r.bestValidationAccuracy()),
                  r.epochs(),
                  String.format(Locale.ROOT, "%.0f", r.trainSeconds()),
                  r.parameters(),
                  fmt(statistics.noBindingTest()));
            }
          }
        });
    AtomicFiles.writeString(out.resolve("results.md"), markdown(points));
  }

  /**
   * Test accuracy by delay (rows) and model (columns), with the mean and spread when a point has
   * several runs; then every run; then the data's statistics.
   */
  String markdown(List<Point> points) {
    List<Integer> delays = points.stream().map(Point::delay).distinct().sorted().toList();
    boolean seeds = points.stream().anyMatch(p -> p.runs().size() > 1);
    StringBuilder md = new StringBuilder();
    md.append(
        "One-shot image association (H-Mem paper, Figure 2B): test accuracy against delay.\n");
    for (Map.Entry<String, RunConfig> m : models.entrySet()) {
      RunConfig c = m.getValue();
      md.append(
          String.format(
              Locale.ROOT,
              "- **%s**: %s, %d epoch(s), batch %d, CIFAR-10 source %s%s%n",
              m.getKey(),
              c.model().type(),
              c.train().epochs(),
              c.train().batchSize(),
              c.data().source(),
              Splits.lossy(c.data()) ? " (**LOSSY JPEG copy, not CIFAR-10**)" : ""));
    }
    if (seeds) {
      md.append(
          "\nWhere a point has several runs (seeds), its test accuracy is the run with the highest"
              + " final validation accuracy (the H-Mem paper's bAbI protocol); the mean ± sample"
              + " standard deviation of all its runs stands beside it.\n");
    }
    md.append("\n| delay D | frames | ");
    models
        .keySet()
        .forEach(
            k -> md.append(k).append(seeds ? " test acc | mean ± sd (runs) | " : " test acc | "));
    md.append("no-binding chance |\n|---|---|");
    models.keySet().forEach(k -> md.append(seeds ? "---|---|" : "---|"));
    md.append("---|\n");
    for (int d : delays) {
      md.append(String.format(Locale.ROOT, "| %d | %d | ", d, 3 * (d + 1)));
      for (String k : models.keySet()) {
        Point p =
            points.stream()
                .filter(x -> x.model().equals(k) && x.delay() == d)
                .findFirst()
                .orElse(null);
        md.append(p == null ? "" : fmt(p.testAccuracy())).append(" | ");
        if (seeds) {
          md.append(p == null ? "" : spread(p)).append(" | ");
        }
      }
      md.append(fmt(statistics.noBindingTest())).append(" |\n");
    }
    md.append(
        "\n| model | delay | run | seed | test acc | final validation acc | best validation acc"
            + " | epochs | training time | parameters |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Point p : points) {
      for (Run r : p.runs()) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %d%s | %d | %s | %s | %s | %d | %s | %,d |%n",
                r.model(),
                r.delay(),
                r.run(),
                p.runs().size() > 1 && r == p.selected() ? " (reported)" : "",
                r.seed(),
                fmt(r.testAccuracy()),
                fmt(r.validationAccuracy()),
                fmt(r.bestValidationAccuracy()),
                r.epochs(),
                Progress.human(r.trainSeconds()),
                r.parameters()));
      }
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%nData (the released generator, hmem.md §4.3): %,d training sequences (the last 10 %%"
                + " validate), %,d test sequences. The digit equals its CIFAR class in %.1f %% of"
                + " the training pairs and %.1f %% of the test pairs, so a model that cannot bind"
                + " but guesses the digit from the query's class scores %.1f %% on the test set"
                + " (%.1f %% on the training set): that, not 10 %%, is chance.%n",
            statistics.trainSequences(),
            statistics.testSequences(),
            100 * statistics.digitEqualsClassTrain(),
            100 * statistics.digitEqualsClassTest(),
            100 * statistics.noBindingTest(),
            100 * statistics.noBindingTrain()));
    return md.toString();
  }

  /** {@code 0.5312 ± 0.0210 (3)}; one run has no spread. */
  private static String spread(Point p) {
    return p.runs().size() < 2
        ? fmt(p.meanTestAccuracy()) + " (1)"
        : String.format(
            Locale.ROOT,
            "%.4f ± %.4f (%d)",
            p.meanTestAccuracy(),
            p.sdTestAccuracy(),
            p.runs().size());
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
  }

  /** Parses {@code 0,10,20} or {@code 0-40/10}. */
  public static List<Integer> parseDelays(String spec) {
    List<Integer> out = new ArrayList<>();
    try {
      for (String part : spec.split(",")) {
        String p = part.trim();
        if (p.contains("-")) {
          String[] range = p.split("[-/]");
          int step = range.length > 2 ? Integer.parseInt(range[2].trim()) : 1;
          if (step < 1) {
            throw new NumberFormatException("step " + step);
          }
          for (int d = Integer.parseInt(range[0].trim());
              d <= Integer.parseInt(range[1].trim());
              d += step) {
            out.add(d);
          }
        } else {
          out.add(Integer.parseInt(p));
        }
      }
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException(
          "--delays must look like 0,10,20,30,40 or 0-40/10; got '" + spec + "'");
    }
    for (int d : out) {
      if (d < 0) {
        throw new IllegalArgumentException("delays are >= 0 frames, got " + d);
      }
    }
    return out;
  }
}
