package engram.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import engram.data.DataConfig;
import engram.data.Splits;
import engram.distributed.Cluster;
import engram.distributed.StepWatchdog;
import engram.distributed.WorkerFailure;
import engram.io.OutputPaths;
import engram.models.ModelType;
import engram.train.RunConfig;
import engram.train.RunDirectory;
import engram.train.TrainResult;
import engram.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tensorflow.proto.ConfigProto;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code engram train}: trains a model on a dataset, checkpointing every epoch.
 *
 * <p>The config is a preset (or the defaults of {@code --model}) with the given flags applied on
 * top; it is saved as {@code config.json} in the run directory. {@code --resume} continues a run
 * from its last checkpoint (or {@code --from-epoch N}) with its saved config; flags may repeat
 * their saved values, and only {@code --epochs} may change.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Train a model (ENN or an RNN/GRU/LSTM baseline) and evaluate it on the test set.",
    sortOptions = false)
final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Option(
      names = "--preset",
      paramLabel = "FILE",
      description = "JSON preset, e.g. models/enn-mnist.json.")
  Path preset;

  @Option(
      converter = Main.ModelTypes.class,
      names = "--model",
      paramLabel = "NAME",
      completionCandidates = ModelNames.class,
      description = "enn, rnn, gru, lstm or hmem (default: the preset's, else enn).")
  ModelType model;

  @Option(
      names = "--dataset",
      paramLabel = "NAME",
      description = "Dataset (default: the preset's, else mnist).")
  String dataset;

  @Mixin JobOptions job;

  @Option(
      names = "--step-timeout",
      paramLabel = "SECONDS",
      description =
          "With --cluster: a training step that takes longer fails the job (default 30; the run's"
              + " first step gets 10 minutes, each epoch's first 1.5 x this plus the validation"
              + " time).")
  int stepTimeout = 30;

  @Option(names = "--epochs", description = "Epochs to train.")
  Integer epochs;

  @Option(names = "--batch", description = "Batch size.")
  Integer batch;

  @Option(
      names = "--hidden",
      split = ",",
      paramLabel = "H[,H2...]",
      description = "Layer widths, e.g. 128 (enn) or 128,64.")
  List<Integer> hidden;

  @Option(names = "--memory", paramLabel = "M", description = "ENN memory slots M.")
  Integer memory;

  @Option(names = "--lr", description = "Initial Adam learning rate.")
  Double lr;

  @Option(names = "--clipnorm", description = "Per-variable gradient norm cap (0 = off).")
  Double clipnorm;

  @Option(
      names = "--precision",
      paramLabel = "P",
      description =
          "fp32 (the default), bf16 (mixed: bfloat16 matmuls and activations, float32 weights,"
              + " loss, LayerNorm and softmax statistics and Adam) or fp64.")
  String precision;

  @Option(names = "--seed", description = "Seed of weights, shuffles and random draws.")
  Long seed;

  @Option(
      names = "--bptt-window",
      paramLabel = "K",
      description =
          "Back-propagate in windows of K steps: a graph (and XLA compile) the size of one window,"
              + " the whole sequence's gradient (0 = one graph for the whole sequence).")
  Integer bpttWindow;

  @Option(
      names = "--bptt-truncate",
      description = "With --bptt-window: gradients from the last window only (truncated BPTT).")
  Boolean bpttTruncate;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Run directory (default: runs/<name>-<time>).")
  Path out;

  @Option(
      names = "--resume",
      description =
          "Continue the run in --out from its last checkpoint. Flags may be repeated with their"
              + " saved values; only --epochs may change (and not below the epochs done).")
  boolean resume;

  @Option(
      names = "--from-epoch",
      paramLabel = "N",
      description = "With --resume: continue from epoch N's checkpoint instead of the latest.")
  Integer fromEpoch;

  @Option(
      names = "--train-limit",
      paramLabel = "N",
      description = "Use only the first N training-file examples (smoke runs).")
  Integer trainLimit;

  @Option(
      names = "--test-limit",
      paramLabel = "N",
      description = "Use only the first N test examples.")
  Integer testLimit;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Change any config key, e.g. --set train.schedule.kind=step --set model.dropout=0.2."
              + " Repeatable.")
  List<String> sets = new ArrayList<>();

  /** Lower-case model names for help and completion. */
  static final class ModelNames extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    ModelNames() {
      super(ModelType.values().stream().map(ModelType::toString).toList());
    }
  }

  @Override
  public Integer call() throws Exception {
    ConfigProto session = common.sessionConfig();
    if (fromEpoch != null && (!resume || fromEpoch < 0)) {
      throw new IllegalArgumentException(
          "--from-epoch N needs --resume and N >= 0, got --from-epoch " + fromEpoch);
    }
    RunConfig config = resolveConfig();
    Path runDir = out != null ? out : defaultRunDir(config);
    OutputPaths.checkDirectory(runDir, "--out"); // before the data loads, not after
    Cluster cluster = job.cluster();
    if (cluster != null && cluster.task() > 0) {
      runDir = WorkerDirectory.of(runDir, cluster.task(), resume);
    }
    Splits data = Splits.load(config.data(), common.dataDir, config.train().batchSize());
    common.logCompute();
    Trainer trainer = new Trainer(config, data, runDir, common.progress(), session);
    trainer.withReplicas(job.replicas(common.compute()));
    if (cluster != null) {
      cluster.startServer();
      PrintWriter err = spec.commandLine().getErr();
      String resumeAdvice = resumeAdvice(out != null ? out : runDir);
      StepWatchdog watchdog =
          new StepWatchdog(
              what -> {
                err.println(
                    "engram: "
                        + WorkerFailure.of(cluster, what, null).getMessage()
                        + "; "
                        + resumeAdvice);
                err.flush();
                Runtime.getRuntime().halt(Main.EXIT_WORKER);
              });
      if (stepTimeout < 1) {
        throw new IllegalArgumentException("--step-timeout must be >= 1 s, got " + stepTimeout);
      }
      trainer.withCluster(cluster, watchdog, stepTimeout * 1000L);
      try {
        return report(
            config, data, runDir, trainer.run(resume, fromEpoch == null ? -1 : fromEpoch));
      } catch (WorkerFailure e) {
        throw new WorkerFailureAdvice(e.getMessage() + "; " + resumeAdvice, e);
      }
    }
    return report(config, data, runDir, trainer.run(resume, fromEpoch == null ? -1 : fromEpoch));
  }

  /** What every worker of a failed job is told to do. */
  private static String resumeAdvice(Path jobDir) {
    return "every task exits; start them all again with --resume: they continue from task 0's"
        + " last checkpoint in "
        + jobDir;
  }

  /** A worker failure with the advice of this command line; exit code {@link Main#EXIT_WORKER}. */
  static final class WorkerFailureAdvice extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkerFailureAdvice(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private Integer report(RunConfig config, Splits data, Path runDir, TrainResult result)
      throws java.io.IOException {
    boolean regression = data.test().target().kind() == engram.data.Target.Kind.VALUES;
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "%s: %s after %d epochs (%.1f s/epoch); run directory %s%s%n",
            config.model().type(),
            regression
                ? String.format(Locale.ROOT, "test MSE %.5f", result.testLoss())
                : String.format(
                    Locale.ROOT,
                    "test accuracy %.4f, test loss %.4f",
                    result.testAccuracy(),
                    result.testLoss()),
            result.epochs(),
            result.meanEpochSeconds(),
            runDir,
            Splits.lossy(config.data()) ? " [" + Splits.LOSSY + "]" : "");
    if (config.train().monitor()) {
      List<Path> figures = engram.viz.Figures.render(runDir);
      spec.commandLine()
          .getOut()
          .printf(
              "%d figures in %s (engram viz --run %s redraws them)%n",
              figures.size(), runDir, runDir);
    }
    return Main.EXIT_OK;
  }

  /** A flag's change to the config: the JSON path it sets and the value (null when not given). */
  private record Change(String flag, String path, Object value) {}

  /** Every config change the flags ask for, in preset form. */
  private List<Change> changes() {
    List<Change> all =
        new ArrayList<>(
            Arrays.asList(
                new Change("--hidden", "model.units", hidden),
                new Change("--memory", "model.engram.memorySize", memory),
                new Change("--epochs", "train.epochs", epochs),
                new Change("--batch", "train.batchSize", batch),
                new Change("--lr", "train.learningRate", lr),
                new Change("--clipnorm", "train.clipnorm", clipnorm),
                new Change(
                    "--precision",
                    "train.precision",
                    precision == null ? null : engram.train.Precision.parse(precision).toString()),
                new Change("--seed", "train.seed", seed),
                new Change("--bptt-window", "train.bpttWindow", bpttWindow),
                new Change("--bptt-truncate", "train.bpttTruncate", bpttTruncate),
                new Change("--train-limit", "data.trainLimit", trainLimit),
                new Change("--test-limit", "data.testLimit", testLimit)));
    for (String assignment : sets) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--set needs KEY=VALUE, e.g. --set train.learningRate=3e-4; got '" + assignment + "'");
      }
      all.add(
          new Change(
              "--set " + assignment,
              assignment.substring(0, eq),
              jsonValue(assignment.substring(eq + 1))));
    }
    all.removeIf(o -> o.value() == null);
    return all;
  }

  /** A JSON literal (number, boolean, array, object, quoted string), else the text as a string. */
  private static JsonNode jsonValue(String text) {
    try {
      JsonNode node = RunConfig.json().readTree(text);
      return node == null || node.isMissingNode() ? TextNode.valueOf(text) : node;
    } catch (JsonProcessingException e) {
      return TextNode.valueOf(text);
    }
  }

  /** The overrides as a patch: {@code {"train": {"epochs": 3}}}. */
  private static ObjectNode patch(List<Change> changes) {
    ObjectNode root = RunConfig.json().createObjectNode();
    for (Change o : changes) {
      String[] keys = o.path().split("\\.");
      ObjectNode node = root;
      for (int i = 0; i < keys.length - 1; i++) {
        node = node.get(keys[i]) instanceof ObjectNode child ? child : node.putObject(keys[i]);
      }
      node.set(keys[keys.length - 1], RunConfig.json().valueToTree(o.value()));
    }
    return root;
  }

  /** The preset or defaults with the flags applied, or the saved config on --resume. */
  RunConfig resolveConfig() throws java.io.IOException {
    List<Change> changes = changes();
    if (resume) {
      return resumedConfig(changes);
    }
    RunConfig config;
    if (preset == null && dataset != null && dataset.equalsIgnoreCase("association")) {
      throw new IllegalArgumentException(
          "--dataset association needs a model with an image encoder: use --preset"
              + " models/hmem-association-cpu.json or models/lstm-association-cpu.json (the"
              + " released sizes: models/{hmem,lstm}-association.json)");
    }
    if (preset != null) {
      config = RunConfig.readPreset(preset);
      if (model != null && model != config.model().type()) {
        throw new IllegalArgumentException(
            "--model "
                + model
                + " contradicts preset "
                + preset
                + " (model "
                + config.model().type()
                + "); drop one of them");
      }
    } else if (dataset != null && dataset.toLowerCase(Locale.ROOT).startsWith("wikitext")) {
      config =
          RunConfig.languageModelDefaults(model == null ? ModelType.ENN : model, dataset)
              .withDescription("");
    } else if (dataset != null
        && engram.data.MemoryTasks.Kind.of(dataset.toLowerCase(Locale.ROOT)) != null) {
      config =
          RunConfig.memoryTaskDefaults(
              model == null ? ModelType.ENN : model, dataset.toLowerCase(Locale.ROOT));
    } else {
      config = RunConfig.defaults(model == null ? ModelType.ENN : model);
      if (dataset != null && dataset.equalsIgnoreCase("cifar10")) {
        config =
            new RunConfig(
                config.description(), config.model(), config.train(), DataConfig.defaults(dataset));
      }
    }
    if (dataset != null && !dataset.equalsIgnoreCase(config.data().dataset())) {
      throw new IllegalArgumentException(
          "--dataset "
              + dataset
              + " does not match the "
              + config.model().type()
              + " config's dataset "
              + config.data().dataset()
              + "; mnist and wikitext2/103 go with enn/rnn/gru/lstm, babi with hmem (or use --set"
              + " data.dataset=...)");
    }
    if (memory != null && config.model().type() != ModelType.ENN) {
      throw new IllegalArgumentException(
          "--memory applies only to --model enn, not " + config.model().type());
    }
    return config.merged(patch(changes), "command line");
  }

  /**
   * The saved config of the run in --out, with --epochs applied. Every other flag (and every key a
   * --preset states) may be given too, so that the original command with --resume added works, but
   * only with the value the run was started with.
   */
  private RunConfig resumedConfig(List<Change> changes) throws java.io.IOException {
    if (out == null) {
      throw new IllegalArgumentException("--resume needs --out <run directory>");
    }
    RunConfig saved =
        RunDirectory.config(
            out,
            "--resume continues the --out directory of an earlier engram train; drop --resume to"
                + " start a new run");
    String again = "; drop it (on --resume only --epochs may change)";
    ObjectNode asked = RunConfig.json().createObjectNode();
    if (preset != null) {
      String text = RunConfig.presetText(preset);
      RunConfig fromPreset = RunConfig.parsePreset(text, preset.toString());
      if (fromPreset.model().type() != saved.model().type()) {
        throw new IllegalArgumentException(
            "--preset "
                + preset
                + " is a "
                + fromPreset.model().type()
                + " preset, but "
                + out
                + " trains "
                + saved.model().type()
                + again);
      }
      asked = (ObjectNode) RunConfig.json().readTree(text);
    }
    if (model != null && model != saved.model().type()) {
      throw new IllegalArgumentException(
          "--model "
              + model
              + " differs from the "
              + saved.model().type()
              + " that "
              + out
              + " trains"
              + again);
    }
    if (dataset != null && !dataset.equalsIgnoreCase(saved.data().dataset())) {
      throw new IllegalArgumentException(
          "--dataset "
              + dataset
              + " differs from the "
              + saved.data().dataset()
              + " that "
              + out
              + " trains on"
              + again);
    }
    RunConfig withFlags =
        saved.merged(asked, String.valueOf(preset)).merged(patch(changes), "command line");
    ObjectNode epochsOnly = RunConfig.json().createObjectNode();
    epochsOnly.putObject("train").put("epochs", withFlags.train().epochs());
    RunConfig resumed = saved.merged(epochsOnly, "command line");
    List<String> differences = new ArrayList<>();
    differences(
        RunConfig.json().valueToTree(resumed),
        RunConfig.json().valueToTree(withFlags),
        "",
        differences);
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException(
          "--resume continues "
              + out
              + " with its saved config.json, but the flags ask for other values: "
              + String.join("; ", differences)
              + again.replace("; drop it", ". Drop them"));
    }
    return resumed;
  }

  /** The keys whose values differ between {@code saved} and {@code asked}, as "key: a, not b". */
  private static void differences(JsonNode saved, JsonNode asked, String path, List<String> out) {
    if (saved.isObject() && asked.isObject()) {
      java.util.Set<String> keys = new java.util.TreeSet<>();
      saved.fieldNames().forEachRemaining(keys::add);
      asked.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        differences(saved.path(k), asked.path(k), path.isEmpty() ? k : path + "." + k, out);
      }
    } else if (!saved.equals(asked)) {
      out.add(path + " is " + saved + " in the saved config, not " + asked);
    }
  }

  private Path defaultRunDir(RunConfig config) {
    String name =
        preset != null
            ? preset.getFileName().toString().replaceFirst("\\.json$", "")
            : config.model().type() + "-" + config.data().dataset();
    return Path.of(
        "runs",
        name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
  }
}
