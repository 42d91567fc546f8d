package engram.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.data.Batch;
import engram.data.Batches;
import engram.data.Dataset;
import engram.data.Feature;
import engram.data.Target;
import engram.io.AtomicFiles;
import engram.io.FileProblem;
import engram.tasks.Classification;
import engram.train.Inputs;
import engram.train.RunConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;

/**
 * An exported engram model: a SavedModel (tag {@code serve}, signature {@code serving_default}, see
 * {@link InferenceGraph}) plus {@code engram.json} beside it, which records the model and data
 * configuration, the input features, the metrics of the run and the versions that wrote it.
 *
 * <pre>{@code
 * try (EngramModel m = EngramModel.load(Path.of("models/enn-mnist"))) {
 *   float[] logits = m.logits(testSet, m.batchSize());   // [n x classes], row-major
 * }
 * }</pre>
 *
 * For the ENN the Hebbian trace is a batch mean, so a prediction depends on the other examples in
 * its batch; {@link #batchSize()} is the batch the model was trained and evaluated with.
 */
public final class EngramModel implements AutoCloseable {

  /** The metadata file written beside the SavedModel. */
  public static final String METADATA = "engram.json";

  private static final String SAVED_MODEL = "saved_model.pb";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SavedModelBundle bundle;
  private final JsonNode metadata;
  private final List<Feature> inputs;
  private final int numClasses;

  private EngramModel(SavedModelBundle bundle, JsonNode metadata) {
    this.bundle = bundle;
    this.metadata = metadata;
    this.inputs = features(metadata.path("inputs"));
    this.numClasses = metadata.path("numClasses").asInt();
  }

  /**
   * Loads the model exported to {@code dir}.
   *
   * @throws FileProblem when {@code dir} is not an exported model, or one of its files is missing
   *     or damaged; the message names the file and the export command that writes it again
   */
  public static EngramModel load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new FileProblem(
          dir,
          (Files.exists(dir) ? "is a file, not a model directory" : "no such model directory")
              + "; create one with engram export --run <run dir> --out "
              + dir);
    }
    Path meta = dir.resolve(METADATA);
    for (Path f : List.of(dir.resolve(SAVED_MODEL), meta)) {
      if (!Files.isRegularFile(f)) {
        throw new FileProblem(
            f, "missing, so " + dir + " is not an engram model; " + exportAgain(dir, null));
      }
    }
    JsonNode metadata;
    try {
      metadata = JSON.readTree(Files.readString(meta, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new FileProblem(
          meta, "damaged (" + e.getOriginalMessage().strip() + "); " + exportAgain(dir, null), e);
    }
    String run = metadata.path("run").asText(null);
    if (!metadata.path("inputs").isArray() || metadata.path("numClasses").asInt() <= 0) {
      throw new FileProblem(
          meta, "damaged (no inputs or numClasses in it); " + exportAgain(dir, run));
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(dir.toString(), "serve");
    } catch (TensorFlowException e) {
      Path file =
          String.valueOf(e.getMessage()).contains("save/Restore")
              ? FileProblem.checkpointFile(
                  dir.resolve("variables").resolve("variables"), e.getMessage())
              : dir.resolve(SAVED_MODEL);
      throw new FileProblem(
          file,
          "damaged or truncated (" + FileProblem.reason(e) + "); " + exportAgain(dir, run),
          e);
    }
    return new EngramModel(bundle, metadata);
  }

  /** The fix for a damaged model: the export command that writes it again. */
  private static String exportAgain(Path dir, String run) {
    return "export the model again: engram export --run "
        + (run != null ? run : "<run dir>")
        + " --out "
        + dir
        + " --force";
  }

  /** The run config the model was trained with, as {@code engram.json} records it. */
  public RunConfig config(Path dir) throws FileProblem {
    try {
      return RunConfig.fromJson(metadata.path("config").toString(), METADATA + " config");
    } catch (IllegalArgumentException e) {
      throw new FileProblem(
          dir.resolve(METADATA),
          "damaged ("
              + e.getMessage()
              + "); "
              + exportAgain(dir, metadata.path("run").asText(null)),
          e);
    }
  }

  /** Everything {@code engram.json} records. */
  public JsonNode metadata() {
    return metadata;
  }

  /** The inputs of the signature, per example (without the batch dimension). */
  public List<Feature> inputs() {
    return inputs;
  }

  public int numClasses() {
    return numClasses;
  }

  /** The batch size the model was evaluated with during training. */
  public int batchSize() {
    return metadata.path("batchSize").asInt(128);
  }

  /** Runs the signature on named input tensors; the result holds logits, probabilities, class. */
  public Result call(Map<String, Tensor> inputs) {
    return bundle.function(InferenceGraph.SIGNATURE).call(inputs);
  }

  /**
   * The logits of every example of {@code data} ({@code size x numClasses}, row-major), predicted
   * in batches of {@code batchSize} in the dataset's order.
   */
  public float[] logits(Dataset data, int batchSize) {
    if (!data.inputs().equals(inputs)) {
      throw new IllegalArgumentException(
          "the model takes " + inputs + " but the data provides " + data.inputs());
    }
    float[] out = new float[data.size() * numClasses];
    forEachBatch(
        data,
        batchSize,
        (b, batch, logits) -> {
          float[] values = new float[batch.size() * numClasses];
          logits.read(values);
          System.arraycopy(values, 0, out, b * batchSize * numClasses, values.length);
        });
    return out;
  }

  /** What {@link #forEachBatch} hands on: the batch's index, its host data and its logits. */
  private interface BatchLogits {
    void accept(int index, Batch batch, FloatDataBuffer logits);
  }

  /** Runs the signature on {@code data} in batches, in order, handing each batch's logits on. */
  private void forEachBatch(Dataset data, int batchSize, BatchLogits each) {
    Batches batches = Batches.inOrder(data, batchSize);
    Batch batch = Batch.forDataset(data, batchSize);
    for (int b = 0; b < batches.count(); b++) {
      batches.fill(b, batch);
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      try {
        for (int i = 0; i < inputs.size(); i++) {
          feeds.put(inputs.get(i).name(), Inputs.tensor(inputs.get(i), batch, i));
        }
        try (Result r = call(feeds)) {
          TFloat32 logits = (TFloat32) r.get(InferenceGraph.LOGITS).orElseThrow();
          each.accept(b, batch, logits.asRawTensor().data().asFloats());
        }
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }
  }

  /**
   * A language model's scores on {@code data} (per-step class targets): the summed token NLL
   * (nats), the tokens scored and those predicted right, computed here from the signature's logits,
   * batch by batch (a split's logits would not fit in memory). Padding is not scored.
   */
  public record TokenScores(double nllSum, long count, long correct) {

    /** {@code exp(nllSum / count)}. */
    public double perplexity() {
      return Math.exp(nllSum / count);
    }
  }

  /** Scores {@code data} in batches of {@code batchSize}; see {@link TokenScores}. */
  public TokenScores tokenScores(Dataset data, int batchSize) {
    if (!data.inputs().equals(inputs) || data.target().kind() != Target.Kind.CLASS_PER_STEP) {
      throw new IllegalArgumentException(
          "the model takes " + inputs + " but the data provides " + data.inputs());
    }
    int steps = data.target().shape()[0];
    double[] nll = new double[1];
    long[] counts = new long[2]; // scored, correct
    float[] row = new float[numClasses];
    forEachBatch(
        data,
        batchSize,
        (b, batch, values) -> {
          for (int k = 0; k < batch.size() * steps; k++) {
            int y = batch.targets()[k];
            if (y < 0) {
              continue;
            }
            values.offset((long) k * numClasses).read(row);
            int best = Classification.argMax(row, 0, numClasses);
            double sum = 0;
            for (int v = 0; v < numClasses; v++) {
              sum += Math.exp(row[v] - row[best]);
            }
            nll[0] += row[best] + Math.log(sum) - row[y];
            counts[0]++;
            counts[1] += best == y ? 1 : 0;
          }
        });
    return new TokenScores(nll[0], counts[0], counts[1]);
  }

  /**
   * Exports {@code graph} (its variables already restored) with {@code metadata} as {@code
   * engram.json} into {@code out}, atomically: everything is written to a temporary sibling first,
   * which then replaces {@code out}. An existing {@code out} is refused unless {@code force}.
   */
  public static void export(InferenceGraph graph, ObjectNode metadata, Path out, boolean force)
      throws IOException {
    Path target = out.toAbsolutePath().normalize();
    Path parent = target.getParent();
    Files.createDirectories(parent);
    cleanUpInterrupted(target);
    if (Files.exists(target) && !force) {
      throw new IllegalArgumentException(
          out + " already exists; choose another --out or pass --force to replace it");
    }
    Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    AtomicFiles.deleteTree(tmp);
    try {
      try {
        graph.export(tmp);
        Files.writeString(
            tmp.resolve(METADATA),
            JSON.writerWithDefaultPrettyPrinter().writeValueAsString(metadata) + "\n",
            StandardCharsets.UTF_8);
      } catch (TensorFlowException | IOException e) {
        throw FileProblem.cannotWrite(
            out, e, (force ? "the model there is unchanged; " : "") + "choose another --out");
      }
      Path old =
          parent.resolve("." + target.getFileName() + ".old-" + ProcessHandle.current().pid());
      if (Files.exists(target)) {
        AtomicFiles.move(target, old);
      }
      AtomicFiles.move(tmp, target);
      AtomicFiles.deleteTree(old);
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
  }

  /**
   * Removes what an export of {@code target} that was killed left beside it: its temporary
   * directory ({@code .NAME.tmp-PID}) and, if it died after moving the old model aside ({@code
   * .NAME.old-PID}) but before moving the new one in, puts the old model back. Only directories of
   * processes that no longer run are touched.
   */
  static void cleanUpInterrupted(Path target) throws IOException {
    String prefix = "." + target.getFileName() + ".";
    List<Path> stale = new ArrayList<>();
    try (DirectoryStream<Path> siblings =
        Files.newDirectoryStream(target.getParent(), prefix + "*")) {
      for (Path p : siblings) {
        String rest = p.getFileName().toString().substring(prefix.length());
        String[] kindAndPid = rest.split("-", 2);
        if (kindAndPid.length == 2
            && (kindAndPid[0].equals("tmp") || kindAndPid[0].equals("old"))
            && kindAndPid[1].matches("\\d+")
            && ProcessHandle.of(Long.parseLong(kindAndPid[1])).isEmpty()) {
          stale.add(p);
        }
      }
    }
    for (Path p : stale) {
      if (p.getFileName().toString().startsWith(prefix + "old-") && !Files.exists(target)) {
        AtomicFiles.move(p, target);
      } else {
        AtomicFiles.deleteTree(p);
      }
    }
  }

  /** {@code [{name, kind, shape}]} of {@code inputs}, as {@code engram.json} records them. */
  public static List<Map<String, Object>> describe(List<Feature> inputs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Feature f : inputs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", f.name());
      m.put("kind", f.kind().toString());
      m.put("shape", f.shape());
      out.add(m);
    }
    return out;
  }

  private static List<Feature> features(JsonNode node) {
    List<Feature> out = new ArrayList<>();
    for (JsonNode f : node) {
      int[] shape = new int[f.path("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = f.path("shape").get(i).asInt();
      }
      out.add(
          new Feature(
              f.path("name").asText(), Feature.Kind.valueOf(f.path("kind").asText()), shape));
    }
    return List.copyOf(out);
  }

  @Override
  public void close() {
    bundle.close();
  }
}
