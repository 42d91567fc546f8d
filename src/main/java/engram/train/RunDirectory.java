package engram.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.io.AtomicFiles;
import engram.io.FileProblem;
import engram.models.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.TensorFlow;

/**
 * The files of a run directory besides its checkpoints ({@link Checkpoints}): {@code config.json},
 * written when a run starts; {@code metrics.csv}, after every epoch; {@code result.json}, when it
 * ends; and which checkpoint a run starts or resumes from.
 */
public final class RunDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /** The resolved config of the run. */
  public static final String CONFIG_FILE = "config.json";

  /** The finished run's test metrics, written when training ends. */
  public static final String RESULT_FILE = "result.json";

  /** Per-epoch metrics, rewritten after every epoch. */
  public static final String METRICS_FILE = MetricsCsv.FILE;

  private RunDirectory() {}

  /**
   * Reads the config saved in run directory {@code runDir}.
   *
   * @param fix what to do when {@code runDir} is not a run directory, e.g. "--run takes the --out
   *     directory of an earlier engram train"
   */
  public static RunConfig config(Path runDir, String fix) throws FileProblem {
    if (!Files.isDirectory(runDir)) {
      throw new FileProblem(
          runDir,
          (Files.exists(runDir) ? "is a file, not a run directory" : "no such run directory")
              + "; "
              + fix);
    }
    Path file = runDir.resolve(CONFIG_FILE);
    if (!Files.exists(file)) {
      throw new FileProblem(
          file, "missing, so " + runDir + " is not an engram run directory; " + fix);
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw FileProblem.cannotRead(file, e);
    }
    try {
      return RunConfig.fromJson(text, CONFIG_FILE);
    } catch (IllegalArgumentException e) {
      throw new FileProblem(
          file,
          "damaged or edited ("
              + e.getMessage().replaceFirst("^" + CONFIG_FILE + ": ", "")
              + "); train writes it at the start of a run: restore it, or train again into a new"
              + " --out",
          e);
    }
  }

  /** The checkpoint a run starts from, or null for a fresh start. */
  static String startingCheckpoint(
      Path runDir, Checkpoints checkpoints, boolean resume, int fromEpoch) throws IOException {
    if (!resume) {
      if (fromEpoch >= 0) {
        throw new IllegalArgumentException("--from-epoch needs --resume");
      }
      if (checkpoints.any()) {
        throw new IllegalArgumentException(
            runDir
                + " already holds checkpoints; pass --resume to continue it or choose another"
                + " --out");
      }
      return null;
    }
    if (fromEpoch >= 0) {
      String name = checkpoints.resolve(String.valueOf(fromEpoch));
      Optional<Checkpoints.Pointer> pointer = Optional.empty();
      try {
        pointer = checkpoints.pointer();
      } catch (FileProblem damaged) {
        // --from-epoch is the way around a damaged pointer; the pointer is rewritten at epoch end
      }
      pointer
          .filter(p -> p.latest().compareTo(name) > 0)
          .ifPresent(
              p ->
                  LOG.warn(
                      "resuming from {} although the latest checkpoint is {}: the epochs after"
                          + " {} are trained again and their checkpoints replaced",
                      name,
                      p.latest(),
                      fromEpoch));
      return name;
    }
    if (!checkpoints.any()) {
      LOG.info("no checkpoint in {} yet; starting from scratch", runDir);
      return null;
    }
    return checkpoints.resolve("latest");
  }

  /** Writes {@code result.json}: the test metrics of the finished run. */
  static void writeResult(Path runDir, RunConfig config, TrainResult r) throws IOException {
    ObjectNode node = RunConfig.json().createObjectNode();
    node.put("model", config.model().type().toString());
    node.put("epochs", r.epochs());
    node.put("test_loss", r.testLoss());
    node.put("test_accuracy", r.testAccuracy());
    if (config.model().head().equals(ModelConfig.EVERY)) {
      // A language model: the loss is the mean NLL per token over the whole test split.
      node.put("test_perplexity", Math.exp(r.testLoss()));
      node.put("test_accuracy_unit", "token");
    }
    node.put("test_weights", r.testWeights());
    node.put("trainable_parameters", r.trainableParameters());
    node.put("mean_epoch_seconds", r.meanEpochSeconds());
    node.put("mean_ms_per_step", r.meanMsPerStep());
    node.put("tensorflow", TensorFlow.version());
    AtomicFiles.writeString(runDir.resolve(RESULT_FILE), node.toPrettyString() + "\n");
  }
}
