package engram.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.data.Batch;
import engram.data.Batches;
import engram.data.Dataset;
import engram.data.Feature;
import engram.data.Splits;
import engram.data.Target;
import engram.export.EngramModel;
import engram.export.InferenceGraph;
import engram.io.AtomicFiles;
import engram.io.OutputPaths;
import engram.tasks.Classification;
import engram.train.RunConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code engram predict}: runs an exported model (SavedModel) on a data split. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = "Run an exported model on the test, validation or train split of its dataset.",
    sortOptions = false)
final class PredictCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Exported model.")
  Path model;

  @Option(
      names = "--dataset",
      paramLabel = "NAME",
      description =
          "mnist, cifar10, babi, association, ...; optional, the model knows its dataset"
              + " (engram.json), this only checks it.")
  String dataset;

  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "SPLIT",
      description = "test, validation or train.")
  String split;

  @Option(
      names = "--batch",
      paramLabel = "B",
      description = "Batch size (default: the one the model was evaluated with in training).")
  Integer batch;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Write every example's label, predicted class and logits to this CSV file.")
  Path csv;

  @Option(
      names = "--request",
      paramLabel = "FILE",
      description =
          "Also write the first batch's inputs as a TensorFlow Serving REST predict request"
              + " (JSON, signature serving_default): an example to send to the served model.")
  Path request;

  @Override
  public Integer call() throws Exception {
    if (csv != null) {
      OutputPaths.checkFile(csv, "--out");
    }
    if (request != null) {
      OutputPaths.checkFile(request, "--request");
    }
    try (EngramModel m = EngramModel.load(model)) {
      RunConfig config = m.config(model);
      if (dataset != null && !dataset.equalsIgnoreCase(config.data().dataset())) {
        throw new IllegalArgumentException(
            model
                + " was trained on "
                + config.data().dataset()
                + ", not "
                + dataset
                + "; drop --dataset or pick the matching model");
      }
      Splits data = Splits.load(config.data(), common.dataDir);
      Dataset set = CommonOptions.split(data, split);
      int b = batch != null ? batch : m.batchSize();
      if (b <= 0) {
        throw new IllegalArgumentException("--batch must be > 0, got " + b);
      }
      if (set.target().kind() == Target.Kind.CLASS_PER_STEP) {
        if (csv != null) {
          throw new IllegalArgumentException(
              "--out writes a row per example of a classifier; a language model has "
                  + m.numClasses()
                  + " logits per token. Drop --out");
        }
        EngramModel.TokenScores s = m.tokenScores(set, b);
        spec.commandLine()
            .getOut()
            .printf(
                Locale.ROOT,
                "%s: perplexity %.2f = exp(mean NLL %.4f nats over %d tokens), next-token accuracy"
                    + " %.4f; each window of %d from the initial state, batches of %d, with %s%n",
                split,
                s.perplexity(),
                s.nllSum() / s.count(),
                s.count(),
                (double) s.correct() / s.count(),
                set.target().shape()[0],
                b,
                model);
        if (request != null) {
          writeRequest(set, b);
        }
        return Main.EXIT_OK;
      }
      float[] logits = m.logits(set, b);
      if (request != null) {
        writeRequest(set, b);
      }
      int c = m.numClasses();
      long correct = 0;
      for (int i = 0; i < set.size(); i++) {
        if (Classification.argMax(logits, i, c) == set.label(i)) {
          correct++;
        }
      }
      if (csv != null) {
        LogitsCsv.write(csv, set, logits, c);
      }
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "%s: accuracy %.4f (%d of %d examples, batches of %d) with %s%n",
              split,
              (double) correct / set.size(),
              correct,
              set.size(),
              b,
              model);
    }
    return Main.EXIT_OK;
  }

  /**
   * {"signature_name": "serving_default", "inputs": {name: nested arrays}} for the first batch, the
   * columnar request format of TensorFlow Serving's REST API.
   */
  private void writeRequest(Dataset set, int batchSize) throws java.io.IOException {
    Batch batch = Batch.forDataset(set, batchSize);
    Batches.inOrder(set, batchSize).fill(0, batch);
    ObjectNode root = RunConfig.json().createObjectNode();
    root.put("signature_name", InferenceGraph.SIGNATURE);
    ObjectNode inputs = root.putObject("inputs");
    List<Feature> features = set.inputs();
    for (int i = 0; i < features.size(); i++) {
      Feature f = features.get(i);
      ArrayNode examples = inputs.putArray(f.name());
      for (int e = 0; e < batch.size(); e++) {
        int offset = e * f.size();
        nest(examples.addArray(), f, i, batch, f.shape(), 0, offset);
      }
    }
    AtomicFiles.writeString(
        request,
        RunConfig.json()
                .writer()
                .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(root)
            + "\n");
  }

  /** Appends the values of one example (row-major from {@code offset}) as nested arrays. */
  private static int nest(
      ArrayNode node, Feature f, int input, Batch batch, int[] shape, int dim, int offset) {
    for (int k = 0; k < shape[dim]; k++) {
      if (dim == shape.length - 1) {
        if (f.kind() == Feature.Kind.FLOAT) {
          node.add(batch.floats(input)[offset++]);
        } else {
          node.add(batch.ints(input)[offset++]);
        }
      } else {
        offset = nest(node.addArray(), f, input, batch, shape, dim + 1, offset);
      }
    }
    return offset;
  }
}
