package engram.train;

import engram.data.Batch;
import engram.data.Batches;
import engram.data.Dataset;
import engram.runtime.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.tensorflow.proto.ConfigProto;

/**
 * Scores a model on a dataset: mean loss, accuracy and (optionally) every example's logits, in
 * batches of the run's evaluation batch size, in the dataset's order. For the ENN, whose trace is a
 * batch mean, the batch size and order are part of what is measured.
 */
public final class Evaluator {

  /**
   * @param examples examples evaluated
   * @param numClasses width of each output row
   * @param loss mean loss per scored unit (nats per example; per token for a language model)
   * @param correct units predicted right
   * @param count units scored (examples; tokens for a language model)
   * @param logits the outputs, {@code examples x (output size)} row-major, or null when not kept
   */
  public record Evaluation(
      int examples, int numClasses, double loss, long correct, long count, float[] logits) {

    /** Fraction of scored units predicted right. */
    public double accuracy() {
      return (double) correct / count;
    }

    /** {@code exp(loss)}: for a language model, the split's perplexity. */
    public double perplexity() {
      return Math.exp(loss);
    }
  }

  /** The fix when {@code --run} does not name a run directory. */
  public static final String RUN_FIX = "--run takes the --out directory of an earlier engram train";

  private Evaluator() {}

  /** Runs {@code g}'s evaluation path over {@code set}. */
  static Evaluation run(
      TrainingGraph g,
      Dataset set,
      int batchSize,
      long seed,
      boolean keepLogits,
      Progress progress,
      String task) {
    // Stream windows are read one window of every stream per batch, carrying the state.
    int n = set.batchSize(batchSize);
    Batches batches = Batches.inOrder(set, n);
    Batch batch = Batch.forDataset(set, n);
    int rowSize = set.target().size() * set.numClasses();
    float[] logits = keepLogits ? new float[Math.multiplyExact(set.size(), rowSize)] : null;
    double lossSum = 0;
    long correct = 0;
    long count = 0;
    int resident = g.residentOffset(set);
    g.resetState();
    try (Progress.Task bar = progress.start(task, batches.count())) {
      for (int b = 0; b < batches.count(); b++) {
        batches.fill(b, batch, resident);
        TrainingGraph.BatchResult r =
            g.evaluate(batch, new long[] {seed, b}, logits, b * n * rowSize);
        lossSum += r.loss() * r.size();
        correct += r.correct();
        count += r.size();
        bar.update(b + 1, "");
      }
    } finally {
      g.resetState();
    }
    return new Evaluation(
        set.size(), rowSize, count == 0 ? Double.NaN : lossSum / count, correct, count, logits);
  }

  /**
   * The name ({@code epoch-NNNN}) of the run's {@code latest} or {@code best} checkpoint, or of
   * epoch {@code which} when it is a number; checked to have all its files.
   *
   * @throws engram.io.FileProblem when that checkpoint or the pointer to it is missing or damaged
   */
  public static String checkpointName(Path runDir, String which) throws IOException {
    return new Checkpoints(runDir, 1, "--weights").resolve(which);
  }

  /**
   * Restores checkpoint {@code name} of the run with {@code restore} (a graph's {@code
   * restore(prefix)}); TensorFlow's errors on damaged files become a FileProblem naming the file.
   */
  public static void restoreCheckpoint(Path runDir, String name, Consumer<String> restore)
      throws IOException {
    new Checkpoints(runDir, 1, "--weights").restoreWith(name, restore);
  }

  /**
   * Evaluates the run in {@code runDir} on {@code set} with the weights of its {@code latest} or
   * {@code best} checkpoint.
   */
  public static Evaluation evaluate(
      Path runDir,
      String checkpoint,
      Dataset set,
      boolean keepLogits,
      Progress progress,
      ConfigProto sessionConfig)
      throws IOException {
    RunConfig config = RunDirectory.config(runDir, RUN_FIX);
    Checkpoints checkpoints =
        new Checkpoints(runDir, config.train().keepCheckpoints(), "--weights");
    String name = checkpoints.resolve(checkpoint);
    try (TrainingGraph g = Trainer.graphFor(config, set, sessionConfig)) {
      checkpoints.restoreVariables(g, name);
      return run(
          g,
          set,
          config.train().effectiveEvalBatchSize(),
          config.train().seed(),
          keepLogits,
          progress,
          "evaluate " + name);
    }
  }
}
