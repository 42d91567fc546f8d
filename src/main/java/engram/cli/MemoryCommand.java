package engram.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.experiments.MemoryComparison;
import engram.experiments.MemorySuite;
import engram.io.OutputPaths;
import engram.train.RunConfig;
import engram.viz.MemoryFigures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code engram memory}: the reference ENN, the paper's ENN and the baselines at one parameter
 * budget on benchmarks where memory decides (see {@link MemorySuite}), with tables and figures.
 */
@Command(
    name = "memory",
    mixinStandardHelpOptions = true,
    description =
        "Train every model of a memory comparison on every benchmark at one parameter budget and"
            + " write results.md, results.csv and bar charts; re-running resumes.",
    sortOptions = false)
final class MemoryCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Option(
      names = "--comparison",
      defaultValue = "experiments/memory-cpu.json",
      paramLabel = "FILE",
      description =
          "What to compare: models, benchmarks, budget, recipe (default ${DEFAULT-VALUE}).")
  Path file;

  @Option(
      names = "--models",
      paramLabel = "LIST",
      description = "Only these models of the comparison, e.g. lstm,enn-paper (default: all).")
  String models;

  @Option(
      names = "--benchmarks",
      paramLabel = "LIST",
      description = "Only these benchmarks of the comparison, e.g. recall-8,mnist (default: all).")
  String benchmarks;

  @Option(
      names = "--epochs",
      paramLabel = "E",
      description = "Epochs per run (default: the file's).")
  Integer epochs;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Suite directory (default: runs/memory-<comparison file name>).")
  Path out;

  @Option(
      names = "--finished-only",
      description = "Train nothing: report the finished runs of --out while others are to come.")
  boolean finishedOnly;

  @Option(
      names = "--plan",
      description = "Train nothing: print each run's width and parameter count.")
  boolean plan;

  @Override
  public Integer call() throws Exception {
    MemoryComparison comparison = MemoryComparison.read(file).only(list(models), list(benchmarks));
    if (epochs != null) {
      ObjectNode patch = RunConfig.json().createObjectNode().put("epochs", epochs);
      comparison = comparison.withTrain(patch);
    }
    String name = file.getFileName().toString().replaceFirst("\\.json$", "");
    Path dir =
        out != null ? out : Path.of("runs", name.startsWith("memory") ? name : "memory-" + name);
    OutputPaths.checkDirectory(dir, "--out");
    common.logCompute();
    MemorySuite suite =
        new MemorySuite(comparison, common.dataDir, dir, common.progress(), common.sessionConfig());
    if (plan) {
      var o = spec.commandLine().getOut();
      o.printf(
          Locale.ROOT,
          "%-16s %-16s %6s %11s %9s %6s%n",
          "benchmark",
          "model",
          "units",
          "parameters",
          "train",
          "steps");
      for (MemorySuite.Planned p : suite.plan()) {
        o.printf(
            Locale.ROOT,
            "%-16s %-16s %6d %,11d %,9d %6d%n",
            p.benchmark(),
            p.model(),
            p.units(),
            p.parameters(),
            p.trainExamples(),
            p.steps());
      }
      return Main.EXIT_OK;
    }
    List<MemorySuite.Point> points = suite.run(finishedOnly);
    figures(dir, suite, points);
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "memory: %d run(s); table in %s%n",
            points.size(),
            dir.resolve("results.md"));
    return Main.EXIT_OK;
  }

  private static List<String> list(String csv) {
    return csv == null ? null : Arrays.stream(csv.split(",")).map(String::trim).toList();
  }

  private static void figures(Path dir, MemorySuite suite, List<MemorySuite.Point> points)
      throws IOException {
    for (String metric : List.of("accuracy", "mse")) {
      List<String> groups =
          suite.benchmarks().stream()
              .filter(
                  b ->
                      points.stream()
                          .anyMatch(p -> p.benchmark().equals(b) && p.metric().equals(metric)))
              .toList();
      if (!groups.isEmpty()) {
        engram.viz.Figures.writePng(
            MemoryFigures.bars(
                "Test " + (metric.equals("mse") ? "MSE (lower is better)" : "accuracy"),
                "test " + metric,
                groups,
                values(suite.models(), groups, points, MemorySuite.Point::test)),
            dir.resolve(metric + ".png"));
      }
    }
    List<String> all = suite.benchmarks();
    List<String> enns =
        suite.models().stream()
            .filter(m -> points.stream().anyMatch(p -> p.model().equals(m) && p.slots() > 0))
            .toList();
    if (!enns.isEmpty()) {
      engram.viz.Figures.writePng(
          MemoryFigures.bars(
              "ENN attention: effective number of slots after training",
              "exp(attention entropy)",
              all,
              values(enns, all, points, MemorySuite.Point::effectiveSlots)),
          dir.resolve("effective-slots.png"));
    }
    engram.viz.Figures.writePng(
        MemoryFigures.bars(
            "Wall time per epoch",
            "seconds per epoch",
            all,
            values(suite.models(), all, points, MemorySuite.Point::secondsPerEpoch)),
        dir.resolve("seconds-per-epoch.png"));
  }

  /** Per model, the value at each benchmark of {@code groups} (NaN where no run finished). */
  private static Map<String, double[]> values(
      List<String> models,
      List<String> groups,
      List<MemorySuite.Point> points,
      ToDoubleFunction<MemorySuite.Point> value) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (String m : models) {
      double[] v = new double[groups.size()];
      Arrays.fill(v, Double.NaN);
      for (MemorySuite.Point p : points) {
        if (p.model().equals(m) && groups.contains(p.benchmark())) {
          v[groups.indexOf(p.benchmark())] = value.applyAsDouble(p);
        }
      }
      out.put(m, v);
    }
    return out;
  }
}
