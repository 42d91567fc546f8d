package engram.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.data.Babi;
import engram.experiments.BabiSuite;
import engram.io.OutputPaths;
import engram.models.HMemConfig;
import engram.models.ModelType;
import engram.train.RunConfig;
import java.nio.file.Path;
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
 * {@code engram babi}: trains H-Mem on bAbI tasks with the paper's protocol and writes the table of
 * test errors (see {@link BabiSuite}).
 */
@Command(
    name = "babi",
    mixinStandardHelpOptions = true,
    description =
        "Train H-Mem on bAbI tasks (best of R runs by validation accuracy) and write a table of"
            + " test errors, results.md and results.csv; re-running resumes.",
    sortOptions = false)
final class BabiCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Option(
      names = "--tasks",
      defaultValue = "1-20",
      paramLabel = "LIST",
      description = "Tasks, e.g. 1-20 or 1,2,5 (default ${DEFAULT-VALUE}).")
  String tasks;

  @Option(
      names = "--set",
      defaultValue = "10k",
      paramLabel = "SET",
      description = "1k or 10k training questions per task (default ${DEFAULT-VALUE}).")
  String set;

  @Option(
      names = "--encoding",
      paramLabel = "ENC",
      description = "bow, pe or le (default: the preset's, le).")
  HMemConfig.Encoding encoding;

  @Option(
      names = "--hops",
      paramLabel = "N",
      description = "Memory queries N; 1 = feed-forward H-Mem (default: the preset's, 3).")
  Integer hops;

  @Option(
      names = "--runs",
      defaultValue = "1",
      paramLabel = "R",
      description =
          "Runs per task, with seeds seed..seed+R-1 (default ${DEFAULT-VALUE}; the paper: 3).")
  int runs;

  @Option(
      names = "--epochs",
      paramLabel = "E",
      description = "Epochs per run (default: the preset's, 100).")
  Integer epochs;

  @Option(
      names = "--clipnorm",
      paramLabel = "X",
      description =
          "Per-variable gradient norm cap; 0 = off as in TensorFlow 2.1 (default), 20 = the code's intent.")
  Double clipnorm;

  @Option(
      names = "--preset",
      paramLabel = "FILE",
      description = "H-Mem preset (default: models/hmem-babi.json's settings, built in).")
  Path preset;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Suite directory: one run per task and seed, results.md and results.csv (default: runs/babi-<set>-<encoding>-n<hops>).")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (runs < 1) {
      throw new IllegalArgumentException("--runs must be >= 1, got " + runs);
    }
    ConfigProto session = common.sessionConfig();
    List<Integer> taskList = BabiSuite.parseTasks(tasks);
    Babi.Size size = Babi.Size.parse(set);
    RunConfig base =
        preset != null ? RunConfig.readPreset(preset) : RunConfig.defaults(ModelType.HMEM);
    if (base.model().type() != ModelType.HMEM) {
      throw new IllegalArgumentException(
          "--preset "
              + preset
              + " is a "
              + base.model().type()
              + " preset; babi needs an hmem one");
    }
    ObjectNode patch = RunConfig.json().createObjectNode();
    patch.putObject("data").put("dataset", "babi").put("size", size.toString());
    ObjectNode hmem = patch.putObject("model").putObject("hmem");
    if (encoding != null) hmem.put("encoding", encoding.toString());
    if (hops != null) hmem.put("hops", hops);
    ObjectNode train = patch.putObject("train");
    if (epochs != null) train.put("epochs", epochs);
    if (clipnorm != null) train.put("clipnorm", clipnorm);
    base = base.merged(patch, "command line");

    Babi.folder(common.dataDir, size); // fail early, with the fix, when the data is missing
    common.logCompute();
    Path dir =
        out != null
            ? out
            : Path.of(
                "runs",
                String.format(
                    Locale.ROOT,
                    "babi-%s-%s-n%d",
                    size,
                    base.model().hmem().encoding(),
                    base.model().hmem().hops()));
    OutputPaths.checkDirectory(dir, "--out");
    List<BabiSuite.TaskResult> results =
        new BabiSuite(base, common.dataDir, dir, common.progress(), session).run(taskList, runs);
    long solved = results.stream().filter(r -> r.status().equals("ok")).count();
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "bAbI %s: %s; table in %s%n",
            size,
            solved == 0
                ? "no task ran (all " + results.size() + " skipped)"
                : solved + " task(s) trained",
            dir.resolve("results.md"));
    return Main.EXIT_OK;
  }
}
