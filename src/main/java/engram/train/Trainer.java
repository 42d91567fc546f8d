package engram.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.data.Batch;
import engram.data.Batches;
import engram.data.Dataset;
import engram.data.Splits;
import engram.io.AtomicFiles;
import engram.io.FileProblem;
import engram.io.RunLock;
import engram.runtime.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  /** The finished run's test metrics, written when training ends. */
  public static final String RESULT_FILE = "result.json";

  /** Per-epoch metrics, rewritten after every epoch. */
  public static final String METRICS_FILE = MetricsCsv.FILE;

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

  /**
   * Reads the config saved in run directory {@code runDir}.
   *
   * @param fix what to do when {@code runDir} is not a run directory, e.g. "--run takes the --out
   *     directory of an earlier engram train"
   */
  public static RunConfig savedConfig(Path runDir, String fix) throws FileProblem {
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

  /** Whether {@code runDir} holds a checkpoint to resume from. */
  public static boolean hasCheckpoint(Path runDir) {
    return Files.exists(runDir.resolve(Checkpoints.POINTER));
  }

  /**
   * Trains to the end (or resumes from the last checkpoint when {@code resume}) and evaluates the
   * test split.
   *
   * @throws DivergenceException when the loss diverges (see {@link DivergenceRule})
   */
  public TrainResult run(boolean resume) throws IOException {
    return run(resume, -1);
  }

  /**
   * As {@link #run(boolean)}; with {@code resume}, {@code fromEpoch} >= 0 continues from that
   * epoch's checkpoint instead of the latest (after a damaged checkpoint, say); -1 = the latest.
   *
   * <p>The run directory is locked for the whole run ({@link RunLock}), and everything a resume
   * reads (pointer, trainer state, variables) is checked before anything in it is written.
   */
  public TrainResult run(boolean resume, int fromEpoch) throws IOException {
    TrainConfig t = config.train();
    try (RunLock lock = RunLock.acquire(runDir, "--out")) {
      Checkpoints checkpoints =
          new Checkpoints(runDir, t.keepCheckpoints(), "--resume --from-epoch");
      String start = startingCheckpoint(checkpoints, resume, fromEpoch);
      TrainerState state =
          start == null ? TrainerState.initial(t.learningRate()) : checkpoints.readState(start);
      if (state.epoch() > t.epochs()) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "--epochs %d is below the %d epochs %s has already trained; pass --epochs %d or"
                    + " more, or leave --epochs out",
                t.epochs(),
                state.epoch(),
                runDir,
                state.epoch()));
      }
      return train(checkpoints, start, state);
    }
  }

  /** The checkpoint a run starts from, or null for a fresh start. */
  private String startingCheckpoint(Checkpoints checkpoints, boolean resume, int fromEpoch)
      throws IOException {
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

  private TrainResult train(Checkpoints checkpoints, String start, TrainerState state)
      throws IOException {
    TrainConfig t = config.train();
    Dataset train = data.train();
    try (TrainingGraph g = graphFor(config, train, sessionConfig)) {
      long params = g.params().trainableCount();
      if (start != null) {
        checkpoints.restoreVariables(g, start);
        LOG.info(
            "resumed {} from {} (epoch {}, step {})",
            runDir,
            start,
            state.epoch(),
            state.globalStep());
      }
      AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), config.toJson() + "\n");
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
      DivergenceRule.Watch watch = new DivergenceRule.Watch(t.divergence(), state.referenceLoss());
      boolean stopped = false;
      while (state.epoch() < t.epochs() && !stopped) {
        state = trainEpoch(g, state, watch, checkpoints);
        try {
          if (monitor != null) {
            monitor.record(g, state.epoch(), t.seed());
          }
          // While the loss is out of bounds, the checkpoint before it left them is kept.
          checkpoints.save(g, state, watch.aboveSince() - 1);
          MetricsCsv.write(runDir, state.history());
        } catch (FileProblem e) {
          throw e.withAdvice(
              "the run stopped in epoch "
                  + state.epoch()
                  + "'s end; once fixed, continue it from its last checkpoint with --resume --out "
                  + runDir);
        }
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
        checkpoints.restoreVariables(g, Checkpoints.name(state.bestEpoch()));
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

  private TrainerState trainEpoch(
      TrainingGraph g, TrainerState state, DivergenceRule.Watch watch, Checkpoints checkpoints)
      throws IOException {
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
        DivergenceRule.Verdict diverged = watch.check(epoch, b + 1, r.loss());
        if (diverged != null) {
          throw new DivergenceException(
              diverged.what()
                  + "; stopped. Last good checkpoint: "
                  + lastGood(checkpoints, diverged.sinceEpoch())
                  + ". Train again with a lower --lr, or --clipnorm 1.");
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
    return state.after(metrics, step, next, improved, watch.reference());
  }

  /** The newest checkpoint written before epoch {@code since}, whose loss was in bounds. */
  private String lastGood(Checkpoints checkpoints, int since) {
    List<Integer> good = checkpoints.completeEpochs();
    good.removeIf(e -> e >= since);
    return good.isEmpty()
        ? "none"
        : "epoch "
            + good.get(good.size() - 1)
            + " ("
            + runDir.resolve("checkpoints").resolve(Checkpoints.name(good.get(good.size() - 1)))
            + ")";
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
    try (RunLock lock = RunLock.acquire(runDir, "--out");
        TrainingGraph g = graphFor(config, data, sessionConfig)) {
      Checkpoints checkpoints =
          new Checkpoints(runDir, config.train().keepCheckpoints(), "--resume --from-epoch");
      if (checkpoints.any()) {
        throw new IllegalArgumentException(
            runDir + " already holds checkpoints; choose another --out");
      }
      g.setWeights(weights);
      AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), config.toJson() + "\n");
      checkpoints.save(g, TrainerState.initial(config.train().learningRate()), 0);
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
