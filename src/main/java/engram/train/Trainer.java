package engram.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.data.Batch;
import engram.data.Batches;
import engram.data.Dataset;
import engram.data.Splits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.ConfigProto;

/**
 * Trains a sequence classifier: seeded shuffled mini-batches, one session run per step, validation
 * after every epoch, a checkpoint at every epoch end, and a final test evaluation.
 *
 * <p>Run directory layout: {@code config.json} (the resolved config), {@code metrics.csv}, {@code
 * checkpoints/}, {@code checkpoint.json} and, once finished, {@code result.json}. Everything random
 * derives from {@code train.seed}: the shuffle of epoch e from {@code (seed, e)}, the draws of step
 * k from {@code [seed, k]}. A run resumed from its last checkpoint therefore continues exactly as
 * the uninterrupted run would have.
 */
public final class Trainer {

  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  static final String CONFIG_FILE = "config.json";
  static final String RESULT_FILE = "result.json";

  private final RunConfig config;
  private final Splits data;
  private final Path runDir;
  private final Progress progress;
  private final ConfigProto sessionConfig;

  /**
   * @param sessionConfig TensorFlow session options (threads, devices); null for the defaults
   */
  public Trainer(
      RunConfig config, Splits data, Path runDir, Progress progress, ConfigProto sessionConfig) {
    this.config = config;
    this.data = data;
    this.runDir = runDir;
    this.progress = progress;
    this.sessionConfig = sessionConfig;
    TrainConfig t = config.train();
    boolean needsValidation =
        t.restoreBest()
            || t.earlyStoppingPatience() > 0
            || t.schedule().kind() == LrSchedule.Kind.PLATEAU;
    if (needsValidation && data.validation().size() == 0) {
      throw new IllegalArgumentException(
          "restoreBest, earlyStoppingPatience and a plateau schedule need validation data;"
              + " set data.validationFraction > 0");
    }
  }

  /** Reads the config saved in {@code runDir}, for {@code --resume}. */
  public static RunConfig savedConfig(Path runDir) throws IOException {
    Path file = runDir.resolve(CONFIG_FILE);
    if (!Files.exists(file)) {
      throw new IOException(
          file + ": not found; --resume needs the run directory of an earlier train run");
    }
    return RunConfig.fromJson(Files.readString(file), file.toString());
  }

  /** Whether {@code runDir} holds a checkpoint to resume from. */
  public static boolean hasCheckpoint(Path runDir) {
    return Files.exists(runDir.resolve(Checkpoints.POINTER));
  }

  /**
   * Trains to the end (or resumes from the last checkpoint when {@code resume}) and evaluates the
   * test split.
   *
   * @throws DivergenceException when the loss becomes NaN or infinite
   */
  public TrainResult run(boolean resume) throws IOException {
    TrainConfig t = config.train();
    Files.createDirectories(runDir);
    Checkpoints checkpoints = new Checkpoints(runDir, t.keepCheckpoints());
    Optional<Checkpoints.Pointer> pointer = checkpoints.pointer();
    if (!resume && pointer.isPresent()) {
      throw new IllegalArgumentException(
          runDir
              + " already holds checkpoints; pass --resume to continue it or choose another --out");
    }
    AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), config.toJson() + "\n");

    Dataset train = data.train();
    try (TrainingGraph g = graphFor(config, train, sessionConfig)) {
      long params = g.params().trainableCount();
      TrainerState state = TrainerState.initial(t.learningRate());
      if (resume && pointer.isPresent()) {
        state = checkpoints.restore(g, pointer.get().latest());
        LOG.info(
            "resumed {} from {} (epoch {}, step {})",
            runDir,
            pointer.get().latest(),
            state.epoch(),
            state.globalStep());
      } else if (resume) {
        LOG.info("no checkpoint in {} yet; starting from scratch", runDir);
      }
      LOG.info(
          "{} with {} trainable parameters; {} train / {} validation / {} test examples of {};"
              + " TensorFlow {}",
          config.model().type(),
          params,
          train.size(),
          data.validation().size(),
          data.test().size(),
          train.inputs(),
          TensorFlow.version());
      if (g.windowed()) {
        LOG.info(
            "back-propagating in windows of {} steps ({})",
            t.bpttWindow(),
            t.bpttTruncate()
                ? "truncated: gradients from the last window only"
                : "exact: the whole sequence's gradient, middle windows recomputed");
      }

      // The memory monitor watches a fixed sample: validation examples, else training ones.
      TraceMonitor monitor = null;
      if (t.monitor() && g.hasMemory()) {
        monitor =
            new TraceMonitor(
                runDir, data.validation().size() > 0 ? data.validation() : data.train());
        monitor.restore(state.epoch());
      }
      boolean stopped = false;
      while (state.epoch() < t.epochs() && !stopped) {
        state = trainEpoch(g, state);
        if (monitor != null) {
          monitor.record(g, state.epoch(), t.seed());
        }
        checkpoints.save(g, state);
        MetricsCsv.write(runDir, state.history());
        stopped =
            t.earlyStoppingPatience() > 0 && state.epochsSinceBest() >= t.earlyStoppingPatience();
        if (stopped) {
          LOG.info(
              "early stopping: no validation-loss improvement for {} epochs",
              state.epochsSinceBest());
        }
      }

      String weights = "last";
      if (t.restoreBest() && state.bestEpoch() > 0 && state.bestEpoch() != state.epoch()) {
        checkpoints.restoreVariables(g, String.format("epoch-%04d", state.bestEpoch()));
        weights = "best (epoch " + state.bestEpoch() + ")";
      }
      TrainingGraph.BatchResult test = evaluate(g, data.test(), "test", Long.MIN_VALUE / 2);
      double accuracy = (double) test.correct() / test.size();
      LOG.info(
          String.format(
              Locale.ROOT,
              "test: loss %.4f accuracy %.4f (%d examples, %s weights)",
              test.loss(),
              accuracy,
              test.size(),
              weights));
      TrainResult result =
          new TrainResult(
              runDir, state.epoch(), test.loss(), accuracy, params, state.history(), weights);
      writeResult(result);
      return result;
    }
  }

  private TrainerState trainEpoch(TrainingGraph g, TrainerState state) throws IOException {
    TrainConfig t = config.train();
    int epoch = state.epoch() + 1;
    Dataset train = data.train();
    Batches batches = Batches.shuffled(train, t.batchSize(), shuffleSeed(t.seed(), epoch));
    Batch batch = Batch.forDataset(train, t.batchSize());
    long step = state.globalStep();
    double lossSum = 0;
    long correct = 0;
    long seen = 0;
    long start = System.nanoTime();
    float lr = (float) state.learningRate();
    try (Progress.Task bar =
        progress.start(String.format("epoch %d/%d", epoch, t.epochs()), batches.count())) {
      for (int b = 0; b < batches.count(); b++) {
        batches.fill(b, batch);
        TrainingGraph.BatchResult r = g.trainStep(batch, lr, new long[] {t.seed(), step});
        step++;
        if (!Double.isFinite(r.loss())) {
          throw new DivergenceException(
              String.format(
                  "epoch %d step %d: loss is %s; stopped. Last good checkpoint: %s. Try a lower"
                      + " --lr or --clipnorm 1.",
                  epoch, b + 1, r.loss(), state.epoch() == 0 ? "none" : "epoch " + state.epoch()));
        }
        lossSum += r.loss() * r.size();
        correct += r.correct();
        seen += r.size();
        bar.update(
            b + 1,
            String.format(
                Locale.ROOT, "loss %.4f acc %.4f", lossSum / seen, (double) correct / seen));
      }
    }
    double trainSeconds = (System.nanoTime() - start) / 1e9;
    TrainingGraph.BatchResult val =
        data.validation().size() > 0
            ? evaluate(g, data.validation(), "validate", epoch)
            : new TrainingGraph.BatchResult(Double.NaN, 0, 1);
    double seconds = (System.nanoTime() - start) / 1e9;
    double valAccuracy =
        data.validation().size() > 0 ? (double) val.correct() / val.size() : Double.NaN;
    EpochMetrics metrics =
        new EpochMetrics(
            epoch,
            lossSum / seen,
            (double) correct / seen,
            val.loss(),
            valAccuracy,
            state.learningRate(),
            seconds,
            1000 * trainSeconds / batches.count());
    LOG.info(
        String.format(
            Locale.ROOT,
            "epoch %d/%d: loss %.4f acc %.4f | val_loss %.4f val_acc %.4f | lr %.3g | %.1f s (%.0f ms/step)",
            epoch,
            t.epochs(),
            metrics.trainLoss(),
            metrics.trainAccuracy(),
            metrics.valLoss(),
            metrics.valAccuracy(),
            metrics.learningRate(),
            seconds,
            metrics.msPerStep()));
    LrSchedule.Decision next =
        t.schedule().next(epoch, state.learningRate(), val.loss(), state.plateau());
    if (next.learningRate() != state.learningRate()) {
      LOG.info(
          String.format(
              Locale.ROOT,
              "learning rate %.3g -> %.3g",
              state.learningRate(),
              next.learningRate()));
    }
    // Keras EarlyStopping(min_delta=0): any decrease counts.
    boolean improved = data.validation().size() > 0 && val.loss() < state.bestValLoss();
    return state.after(metrics, step, next, improved);
  }

  /** Mean loss and total correct over {@code set}. */
  private TrainingGraph.BatchResult evaluate(TrainingGraph g, Dataset set, String task, long salt) {
    Evaluator.Evaluation e =
        Evaluator.run(
            g,
            set,
            config.train().effectiveEvalBatchSize(),
            config.train().seed() + salt,
            false,
            progress,
            task);
    return new TrainingGraph.BatchResult(e.loss(), e.correct(), e.examples());
  }

  /** The training graph of {@code config} for examples shaped like {@code data}'s. */
  static TrainingGraph graphFor(RunConfig config, Dataset data, ConfigProto sessionConfig) {
    TrainConfig t = config.train();
    return new TrainingGraph(
        config.model(),
        data.inputs(),
        data.numClasses(),
        t.seed(),
        t.clipnorm(),
        t.deterministicEval(),
        t.bptt(),
        sessionConfig);
  }

  /**
   * Starts run directory {@code runDir} from given weights (e.g. imported from Keras): its {@code
   * config.json} and checkpoint {@code epoch-0000} with fresh optimizer state. {@code train
   * --resume} then fine-tunes them and {@code evaluate} scores them. {@code data} gives the input
   * shapes.
   */
  public static void initialize(
      RunConfig config,
      Map<String, float[]> weights,
      Dataset data,
      Path runDir,
      ConfigProto sessionConfig)
      throws IOException {
    if (hasCheckpoint(runDir)) {
      throw new IllegalArgumentException(
          runDir + " already holds checkpoints; choose another --out");
    }
    Files.createDirectories(runDir);
    try (TrainingGraph g = graphFor(config, data, sessionConfig)) {
      g.setWeights(weights);
      AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), config.toJson() + "\n");
      new Checkpoints(runDir, config.train().keepCheckpoints())
          .save(g, TrainerState.initial(config.train().learningRate()));
    }
  }

  /** Shuffle seed of {@code epoch}: a splitmix of (seed, epoch), so epochs differ and repeat. */
  static long shuffleSeed(long seed, int epoch) {
    long z = seed + 0x9E3779B97F4A7C15L * epoch;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private void writeResult(TrainResult r) throws IOException {
    ObjectNode node = RunConfig.json().createObjectNode();
    node.put("model", config.model().type().toString());
    node.put("epochs", r.epochs());
    node.put("test_loss", r.testLoss());
    node.put("test_accuracy", r.testAccuracy());
    node.put("test_weights", r.testWeights());
    node.put("trainable_parameters", r.trainableParameters());
    node.put("mean_epoch_seconds", r.meanEpochSeconds());
    node.put("mean_ms_per_step", r.meanMsPerStep());
    node.put("tensorflow", TensorFlow.version());
    AtomicFiles.writeString(runDir.resolve(RESULT_FILE), node.toPrettyString() + "\n");
  }
}
