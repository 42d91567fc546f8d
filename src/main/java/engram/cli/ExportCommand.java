package engram.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.data.Dataset;
import engram.data.Splits;
import engram.export.EngramModel;
import engram.export.InferenceGraph;
import engram.io.FileProblem;
import engram.io.OutputPaths;
import engram.train.Evaluator;
import engram.train.Precision;
import engram.train.RunConfig;
import engram.train.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.tensorflow.TensorFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code engram export}: a run's checkpoint as a SavedModel (tag {@code serve}, signature {@code
 * serving_default}) plus {@code engram.json}, written atomically.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Export a run's checkpoint as a TensorFlow SavedModel for Java (engram predict),"
          + " Python (tf.saved_model.load) and TensorFlow Serving.",
      "Signature serving_default: inputs x [-1, T, D] float32 (or story [-1, S, W] and query"
          + " [-1, W] int32 for hmem); outputs logits and probabilities [-1, C] float32, class"
          + " [-1] int64. Deterministic inference: no dropout, zero initial state and trace."
    },
    sortOptions = false)
final class ExportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory.")
  Path run;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Where to write the model, e.g. models/enn-mnist.")
  Path out;

  @Option(
      names = "--weights",
      paramLabel = "WHICH",
      description =
          "latest, best or an epoch number (default: the checkpoint the run was tested with).")
  String weights;

  @Option(names = "--force", description = "Replace --out if it exists.")
  boolean force;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new FileProblem(out, "is a file, not a model directory; choose another --out");
    }
    if (Files.exists(out) && !force) {
      throw new IllegalArgumentException(
          out + " already exists; choose another --out or pass --force to replace it");
    }
    // The model is written beside --out, then moved into place: its directory must take files.
    OutputPaths.checkDirectory(
        Files.exists(out) ? out.toAbsolutePath().normalize().getParent() : out, "--out");
    RunConfig config = RunDirectory.config(run, Evaluator.RUN_FIX);
    // bfloat16 runs keep float32 weights (the masters), which export as they are.
    if (config.train().precision() == Precision.FLOAT64) {
      throw new IllegalArgumentException(
          run
              + " was trained in "
              + config.train().precision()
              + "; export writes float32 SavedModels: evaluate it with engram evaluate, or"
              + " retrain with train.precision float32 to export");
    }
    ObjectNode result = readResult(run);
    // result.json says "best" or "last" for the weights the test set was scored with.
    String which =
        weights != null
            ? weights
            : result.path("test_weights").asText("last").equals("best") ? "best" : "latest";
    String checkpoint = Evaluator.checkpointName(run, which);
    Dataset test = Splits.load(config.data(), common.dataDir).test();
    try (InferenceGraph graph =
        new InferenceGraph(config.model(), test.inputs(), test.numClasses())) {
      Evaluator.restoreCheckpoint(run, checkpoint, graph::restore);
      ObjectNode meta = RunConfig.json().createObjectNode();
      String version = Main.class.getPackage().getImplementationVersion();
      meta.put("engram", version == null ? "development build" : version);
      meta.put("tensorflow", TensorFlow.version());
      meta.put("exported", Instant.now().toString());
      meta.put("run", run.toAbsolutePath().normalize().toString());
      meta.put("checkpoint", checkpoint);
      meta.put("signature", InferenceGraph.SIGNATURE);
      meta.set("inputs", RunConfig.json().valueToTree(EngramModel.describe(test.inputs())));
      meta.put("numClasses", test.numClasses());
      meta.put("batchSize", config.train().effectiveEvalBatchSize());
      meta.set("config", RunConfig.json().readTree(config.toJson()));
      meta.set("metrics", result);
      EngramModel.export(graph, meta, out, force);
    }
    spec.commandLine()
        .getOut()
        .printf(
            "exported %s (%s checkpoint %s) to %s: signature %s, tag serve%n",
            run, which, checkpoint, out, InferenceGraph.SIGNATURE);
    return Main.EXIT_OK;
  }

  /** The run's test metrics, {@code result.json}; empty for a run that has not finished. */
  private static ObjectNode readResult(Path run) throws IOException {
    Path file = run.resolve("result.json");
    if (!Files.exists(file)) {
      return RunConfig.json().createObjectNode();
    }
    try {
      if (RunConfig.json().readTree(Files.readString(file)) instanceof ObjectNode node) {
        return node;
      }
      throw new FileProblem(file, "damaged (not a JSON object); " + RESULT_FIX);
    } catch (JsonProcessingException e) {
      throw new FileProblem(
          file, "damaged (" + e.getOriginalMessage().strip() + "); " + RESULT_FIX, e);
    }
  }

  private static final String RESULT_FIX =
      "it holds only the run's test metrics: delete it and export again (the model carries no"
          + " metrics then), or re-create it with engram train --resume";
}
