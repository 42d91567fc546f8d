package engram.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.data.Dataset;
import engram.data.Splits;
import engram.export.EngramModel;
import engram.export.InferenceGraph;
import engram.train.Evaluator;
import engram.train.RunConfig;
import engram.train.Trainer;
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
      description = "latest or best checkpoint (default: the one the run was tested with).")
  String weights;

  @Option(names = "--force", description = "Replace --out if it exists.")
  boolean force;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(out) && !force) {
      throw new IllegalArgumentException(
          out + " already exists; choose another --out or pass --force to replace it");
    }
    RunConfig config = Trainer.savedConfig(run);
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
      graph.restore(Evaluator.checkpointVariables(run, checkpoint));
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

  private static ObjectNode readResult(Path run) throws java.io.IOException {
    Path file = run.resolve("result.json");
    return Files.exists(file)
        ? (ObjectNode) RunConfig.json().readTree(Files.readString(file))
        : RunConfig.json().createObjectNode();
  }
}
