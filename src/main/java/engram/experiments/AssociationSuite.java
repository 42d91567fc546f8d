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
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.ConfigProto;

/**
 * H-Mem's one-shot image-association experiment (the paper's Figure 2B): for every model and every
 * delay D one ordinary run directory ({@code <out>/hmem/delay20/}), so finished runs are reused and
 * interrupted ones resume when the suite starts again. After every run it rewrites {@code
 * results.csv} and {@code results.md}: test accuracy against delay for each model, beside the
 * accuracy a model that cannot bind reaches (the generator's bias, {@link AssociationPairs}). For
 * H-Mem runs it also keeps the association matrix the first test story leaves ({@value
 * #TEST_MEMORY}).
 */
public final class AssociationSuite {

  private static final Logger LOG = LoggerFactory.getLogger(AssociationSuite.class);

  /** The first test story's association matrix, {@code m} rows of {@code m} values. */
  public static final String TEST_MEMORY = "test-story-memory.csv";

  /** Outcome of one (model, delay) run. */
  public record Point(
      String model,
      int delay,
      double testAccuracy,
      double validationAccuracy,
      int epochs,
      double trainSeconds,
      long parameters) {}

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

  /** Trains (or reuses) every model at every delay; returns the points in that order. */
  public List<Point> run(List<Integer> delays) throws IOException {
    return run(delays, false);
  }

  /**
   * As {@link #run(List)}; with {@code finishedOnly} nothing trains: the finished runs are reported
   * and the others left out (a report while runs are still to come).
   */
  public List<Point> run(List<Integer> delays, boolean finishedOnly) throws IOException {
    try (RunLock lock = RunLock.acquire(out, "--out")) {
      List<Point> points = new ArrayList<>();
      for (Map.Entry<String, RunConfig> m : models.entrySet()) {
        for (int delay : delays) {
          Point p =
              finishedOnly
                  ? reused(m.getKey(), delay, m.getValue())
                  : runOne(m.getKey(), delay, m.getValue());
          if (p == null) {
            LOG.info("{} at delay {}: not finished, left out", m.getKey(), delay);
            continue;
          }
          points.add(p);
          write(points);
        }
      }
      return points;
    }
  }

  /** The finished run of {@code name} at {@code delay} (its config checked), or null. */
  private Point reused(String name, int delay, RunConfig base) throws IOException {
    Path dir = runDir(out, name, delay);
    FinishedRun.checkConfig(dir, configAt(base, delay));
    return finished(name, delay, dir);
  }

  private static RunConfig configAt(RunConfig base, int delay) {
    ObjectNode patch = RunConfig.json().createObjectNode();
    patch.putObject("data").put("delay", delay);
    return base.merged(patch, "association suite");
  }

  /** Directory of the run of {@code model} at {@code delay}. */
  public static Path runDir(Path out, String model, int delay) {
    return out.resolve(model).resolve(String.format(Locale.ROOT, "delay%02d", delay));
  }

  private Point runOne(String name, int delay, RunConfig base) throws IOException {
    RunConfig config = configAt(base, delay);
    Path dir = runDir(out, name, delay);
    FinishedRun.checkConfig(dir, config);
    Point done = finished(name, delay, dir);
    if (done != null) {
      LOG.info(
          "{} at delay {}: finished earlier, test accuracy {}",
          name,
          delay,
          String.format(Locale.ROOT, "%.4f", done.testAccuracy()));
      return done;
    }
    LOG.info("{} at delay {} ({} frames per story)", name, delay, 3 * (delay + 1));
    Splits splits = Splits.load(config.data(), dataDir);
    Trainer trainer = new Trainer(config, splits, dir, progress, sessionConfig);
    trainer.addListener(new TestStoryMemory(splits.test(), dir));
    TrainResult result = trainer.run(true);
    Point p = finished(name, delay, dir);
    return p != null
        ? p
        : new Point(
            name,
            delay,
            result.testAccuracy(),
            Double.NaN,
            result.epochs(),
            result.meanEpochSeconds() * result.epochs(),
            result.trainableParameters());
  }

  /** The point a finished run directory holds, or null when it has no result yet. */
  static Point finished(String model, int delay, Path dir) throws IOException {
    FinishedRun run = FinishedRun.read(dir);
    return run == null
        ? null
        : new Point(
            model,
            delay,
            run.testAccuracy(),
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

  private void write(List<Point> points) throws IOException {
    StringWriter csv = new StringWriter();
    try (CSVPrinter p =
        new CSVPrinter(
            csv,
            CSVFormat.DEFAULT
                .builder()
                .setHeader(
                    "model",
                    "delay",
                    "frames",
                    "test_accuracy",
                    "best_validation_accuracy",
                    "epochs",
                    "train_seconds",
                    "parameters",
                    "no_binding_test_accuracy")
                .build())) {
      for (Point pt : points) {
        p.printRecord(
            pt.model(),
            pt.delay(),
            3 * (pt.delay() + 1),
            fmt(pt.testAccuracy()),
            fmt(pt.validationAccuracy()),
            pt.epochs(),
            String.format(Locale.ROOT, "%.0f", pt.trainSeconds()),
            pt.parameters(),
            fmt(statistics.noBindingTest()));
      }
    }
    AtomicFiles.writeString(out.resolve("results.csv"), csv.toString());
    AtomicFiles.writeString(out.resolve("results.md"), markdown(points));
  }

  /** Test accuracy by delay (rows) and model (columns), then the data's statistics. */
  String markdown(List<Point> points) {
    List<Integer> delays = points.stream().map(Point::delay).distinct().sorted().toList();
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
    md.append("\n| delay D | frames | ");
    models.keySet().forEach(k -> md.append(k).append(" test acc | "));
    md.append("no-binding chance |\n|---|---|");
    models.keySet().forEach(k -> md.append("---|"));
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
      }
      md.append(fmt(statistics.noBindingTest())).append(" |\n");
    }
    md.append("\n| model | delay | best validation acc | epochs | training time | parameters |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (Point p : points) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %d | %s | %,d |%n",
              p.model(),
              p.delay(),
              fmt(p.validationAccuracy()),
              p.epochs(),
              Progress.human(p.trainSeconds()),
              p.parameters()));
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
