package engram.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.experiments.AssociationSuite;
import engram.io.OutputPaths;
import engram.train.RunConfig;
import engram.viz.AssociationFigures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code engram association}: H-Mem's one-shot image association against delay (the paper's Figure
 * 2B), one or more runs per model and delay (see {@link AssociationSuite}), with the table and the
 * figures.
 */
@Command(
    name = "association",
    mixinStandardHelpOptions = true,
    description =
        "Train each model on one-shot image association at each delay and write results.md,"
            + " results.csv, accuracy-vs-delay.png and H-Mem's memory of a test story;"
            + " re-running resumes.",
    sortOptions = false)
final class AssociationCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Option(
      names = "--delays",
      defaultValue = "0,10,20,30,40",
      paramLabel = "LIST",
      description = "Delays D in frames, e.g. 0,10,20,30,40 or 0-40/10 (default ${DEFAULT-VALUE}).")
  String delays;

  @Option(
      names = "--models",
      defaultValue = "hmem,lstm",
      paramLabel = "LIST",
      description =
          "Models, each read from models/<name>-association<suffix>.json unless --preset names it"
              + " (default ${DEFAULT-VALUE}).")
  String models;

  @Option(
      names = "--size",
      defaultValue = "released",
      paramLabel = "SIZE",
      description =
          "released (ConvNet14, 100 epochs: a GPU's work) or cpu (the -cpu presets, sized for a"
              + " few CPU cores); default ${DEFAULT-VALUE}.")
  String size;

  @Option(
      names = "--preset",
      paramLabel = "NAME=FILE",
      description = "The preset of model NAME, e.g. hmem=my-hmem.json (repeatable).")
  Map<String, Path> presets = new LinkedHashMap<>();

  @Option(
      names = "--epochs",
      paramLabel = "E",
      description = "Epochs per run (default: the preset's).")
  Integer epochs;

  @Option(
      names = "--data-source",
      paramLabel = "SRC",
      description =
          "CIFAR-10 images: binary (canonical) or jpeg (lossy copy; default: the preset's).")
  String dataSource;

  @Option(
      names = "--runs",
      defaultValue = "1",
      paramLabel = "R",
      description =
          "Seeds per model and delay (seed, seed+1, ...); the run with the highest final"
              + " validation accuracy is reported, with the mean and spread of all"
              + " (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Suite directory (default: runs/association-<size>).")
  Path out;

  @Option(
      names = "--finished-only",
      description =
          "Train nothing: report the finished runs of --out (the table, the curve with gaps)"
              + " while others are still to come.")
  boolean finishedOnly;

  @Override
  public Integer call() throws Exception {
    List<Integer> delayList = AssociationSuite.parseDelays(delays);
    String suffix =
        switch (size.toLowerCase(Locale.ROOT)) {
          case "released" -> "";
          case "cpu" -> "-cpu";
          default ->
              throw new IllegalArgumentException(
                  "--size must be released or cpu, got '" + size + "'");
        };
    Map<String, RunConfig> configs = new LinkedHashMap<>();
    for (String name : models.split(",")) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      Path file = presets.getOrDefault(n, Path.of("models", n + "-association" + suffix + ".json"));
      if (!Files.exists(file)) {
        throw new IllegalArgumentException(
            "no preset for model '"
                + n
                + "': "
                + file
                + " does not exist. Run from the engram directory or pass --preset "
                + n
                + "=FILE.");
      }
      ObjectNode patch = RunConfig.json().createObjectNode();
      if (epochs != null) patch.putObject("train").put("epochs", epochs);
      if (dataSource != null) patch.putObject("data").put("source", dataSource);
      configs.put(n, RunConfig.readPreset(file).merged(patch, "command line"));
    }
    for (String n : presets.keySet()) {
      if (!configs.containsKey(n)) {
        throw new IllegalArgumentException(
            "--preset "
                + n
                + "=... names a model that --models does not list: "
                + configs.keySet());
      }
    }
    Path dir = out != null ? out : Path.of("runs", "association-" + size.toLowerCase(Locale.ROOT));
    OutputPaths.checkDirectory(dir, "--out");
    common.logCompute();
    AssociationSuite suite =
        new AssociationSuite(
            configs, common.dataDir, dir, common.progress(), common.sessionConfig());
    List<AssociationSuite.Point> points = suite.run(delayList, runs, finishedOnly);
    figures(dir, points, suite.statistics().noBindingTest(), delayList);
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "association: %d run(s) at %d (model, delay) point(s); table in %s%n",
            points.stream().mapToInt(p -> p.runs().size()).sum(),
            points.size(),
            dir.resolve("results.md"));
    return Main.EXIT_OK;
  }

  private void figures(
      Path dir, List<AssociationSuite.Point> points, double chance, List<Integer> delayList)
      throws java.io.IOException {
    double[] xs = delayList.stream().mapToDouble(Integer::doubleValue).toArray();
    Map<String, double[]> curves = new LinkedHashMap<>();
    for (AssociationSuite.Point p : points) {
      double[] ys = // a delay not run yet is NaN: a gap in the curve
          curves.computeIfAbsent(
              p.model(),
              k -> {
                double[] none = new double[xs.length];
                java.util.Arrays.fill(none, Double.NaN);
                return none;
              });
      ys[delayList.indexOf(p.delay())] = p.testAccuracy();
    }
    engram.viz.Figures.writePng(
        AssociationFigures.accuracyVsDelay(curves, xs, chance),
        dir.resolve("accuracy-vs-delay.png"));
    for (AssociationSuite.Point p : points) {
      for (AssociationSuite.Run r : p.runs()) {
        Path run = AssociationSuite.runDir(dir, r.model(), r.delay(), r.run());
        Path csv = run.resolve(AssociationSuite.TEST_MEMORY);
        if (Files.exists(csv)) {
          engram.viz.Figures.writePng(
              AssociationFigures.memory(
                  AssociationFigures.readMatrix(csv),
                  String.format(
                      Locale.ROOT,
                      "%s, delay %d, run %d: association matrix after test story 1",
                      r.model(),
                      r.delay(),
                      r.run())),
              run.resolve("test-story-memory.png"));
        }
      }
    }
  }
}
