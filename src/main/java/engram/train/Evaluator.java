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
   * @param loss mean cross-entropy (nats per example)
   * @param correct examples classified correctly
   * @param logits {@code examples x numClasses} row-major, or null when not kept
   */
  public record Evaluation(
      int examples, int numClasses, double loss, long correct, float[] logits) {

    /** Fraction classified correctly. */
    public double accuracy() {
      return (double) correct / examples;
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
    Batches batches = Batches.inOrder(set, batchSize);
    Batch batch = Batch.forDataset(set, batchSize);
    float[] logits = keepLogits ? new float[set.size() * set.numClasses()] : null;
    double lossSum = 0;
    long correct = 0;
    try (Progress.Task bar = progress.start(task, batches.count())) {
      for (int b = 0; b < batches.count(); b++) {
        batches.fill(b, batch);
        int n = batch.size();
        int offset = b * batchSize * set.numClasses();
        TrainingGraph.BatchResult r = g.evaluate(batch, new long[] {seed, b}, logits, offset);
        lossSum += r.loss() * n;
        correct += r.correct();
        bar.update(b + 1, "");
      }
    }
    return new Evaluation(set.size(), set.numClasses(), lossSum / set.size(), correct, logits);
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
