package engram.train;

import engram.data.Batch;
import engram.data.Batches;
import engram.data.Dataset;
import engram.data.Splits;
import engram.distributed.Cluster;
import engram.distributed.Replicas;
import engram.distributed.StepWatchdog;
import engram.distributed.WorkerFailure;
import engram.io.AtomicFiles;
import engram.io.FileProblem;
import engram.io.RunLock;
import engram.runtime.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.ConfigProto;

/**
 * Trains a model: seeded shuffled mini-batches, one session run per step, validation after every
 * epoch, and a final test evaluation. Everything else is a {@link TrainingListener} the loop calls:
 * the learning-rate schedule, the divergence check, the memory monitor, checkpoints, the metrics
 * CSV, early stopping, and any the caller adds ({@link #addListener}).
 *
 * <p>Run directory layout: {@code config.json} (the resolved config), {@code metrics.csv}, {@code
 * checkpoints/}, {@code checkpoint.json} and, once finished, {@code result.json}. Everything random
 * derives from {@code train.seed}: the shuffle of epoch e from {@code (seed, e)}, the draws of step
 * k from {@code [seed, k]}. A run resumed from its last checkpoint therefore continues exactly as
 * the uninterrupted run would have.
 */
public final class Trainer {

  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final RunConfig config;
  private final Splits data;
  private final Path runDir;
  private final Progress progress;
  private final ConfigProto sessionConfig;
  private final List<TrainingListener> extraListeners = new ArrayList<>();
  private Replicas replicas = Replicas.single();
  private Cluster cluster;
  private StepWatchdog watchdog;
  private long stepTimeoutMs;

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
      String start = RunDirectory.startingCheckpoint(runDir, checkpoints, resume, fromEpoch);
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

  private TrainResult train(Checkpoints checkpoints, String start, TrainerState state)
      throws IOException {
    TrainConfig t = config.train();
    Dataset train = data.train();
    TrainingGraph.Options options = TrainingGraph.Options.of(t).withReplicas(replicas);
    if (cluster != null) {
      options = options.withCluster(cluster);
    }
    options.replicas().checkBatch("train.batchSize", t.batchSize());
    List<Dataset> splits = List.of(train, data.validation(), data.test());
    long resident = residentRows(t, options, splits);
    options = options.withResidentRows(resident);
    try (TrainingGraph g = graphFor(config, train, sessionConfig, options)) {
      long params = g.params().trainableCount();
      if (resident > 0) {
        g.loadResident(splits);
        LOG.info(
            "data on the device: {} examples, {} MiB; a step copies only its batch's row numbers",
            resident,
            ResidentData.bytes(splits) >> 20);
      }
      if (options.replicas().parallel()) {
        LOG.info(
            "{} replicas ({} in this process: {}), each step's {} examples split between them",
            options.replicas().groupSize(),
            options.replicas().local(),
            String.join(", ", options.replicas().devices()),
            t.batchSize());
      }
      if (start != null) {
        checkpoints.restoreVariables(g, start);
        LOG.info(
            "resumed {} from {} (epoch {}, step {})",
            runDir,
            start,
            state.epoch(),
            state.globalStep());
      }
      AtomicFiles.writeString(runDir.resolve(RunDirectory.CONFIG_FILE), config.toJson() + "\n");
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

      // Loading data (decoding 60,000 CIFAR JPEGs, say) makes the JVM grow its heap to several
      // times what it keeps; one full collection hands those pages back to the OS before the long
      // part, where the memory belongs to TensorFlow's activations (image association at D = 40,
      // B = 32: peak RSS 4.86 GB without, 3.63 GB with).
      System.gc();
      TrainingRun run = new TrainingRun(config, runDir, g, data, state);
      List<TrainingListener> all = listeners(g, checkpoints);
      try {
        for (TrainingListener l : all) {
          l.onTrainBegin(run);
        }
        while (run.state().epoch() < t.epochs() && run.stopReason() == null) {
          EpochMetrics metrics = trainEpoch(run, all);
          try {
            for (TrainingListener l : all) {
              l.onEpochEnd(run, metrics);
            }
          } catch (FileProblem e) {
            throw e.withAdvice(
                "the run stopped in epoch "
                    + metrics.epoch()
                    + "'s end; once fixed, continue it from its last checkpoint with --resume --out "
                    + runDir);
          }
          if (run.stopReason() != null) {
            LOG.info(run.stopReason());
          }
        }
        state = run.state();

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
                "test: %s (%d %ss, %s weights)",
                g.task().describe(test.loss(), accuracy),
                test.size(),
                g.task().unit(),
                weights));
        TrainResult result =
            new TrainResult(
                runDir, state.epoch(), test.loss(), accuracy, params, state.history(), weights);
        RunDirectory.writeResult(runDir, config, result);
        for (TrainingListener l : all) {
          l.onTrainEnd(run, result);
        }
        return result;
      } finally {
        closeAll(all);
      }
    }
  }

  /** Closes the listeners that hold resources (TensorBoard's writer), however the run ended. */
  private static void closeAll(List<TrainingListener> listeners) {
    for (TrainingListener l : listeners) {
      if (l instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.warn("could not close {}: {}", l.getClass().getSimpleName(), e.toString());
        }
      }
    }
  }

  /**
   * The listeners in the order they must run at an epoch's end: the schedule, the divergence check,
   * the memory monitor and the user's change or record the state the checkpoint then saves; the
   * metrics CSV and early stopping follow.
   */
  private List<TrainingListener> listeners(TrainingGraph g, Checkpoints checkpoints) {
    TrainConfig t = config.train();
    List<TrainingListener> all = new ArrayList<>();
    if (cluster != null) {
      all.add(new JobGuard(watchdog, stepTimeoutMs));
    }
    all.add(new LearningRateScheduler(t.schedule()));
    all.add(new DivergenceCheck(t.divergence(), checkpoints));
    TraceMonitor monitor = null;
    if (t.monitor() && g.hasMemory()) {
      // The memory monitor watches a fixed sample: validation examples, else training ones.
      monitor =
          new TraceMonitor(runDir, data.validation().size() > 0 ? data.validation() : data.train());
      all.add(monitor);
    }
    all.addAll(extraListeners);
    all.add(new CheckpointSaver(checkpoints));
    all.add(new MetricsCsv());
    if (t.tensorboard()) {
      all.add(new TensorBoardWriter(monitor));
    }
    if (t.earlyStoppingPatience() > 0) {
      all.add(new EarlyStopping(t.earlyStoppingPatience()));
    }
    return all;
  }

  /**
   * Adds {@code listener}. At an epoch's end it runs after the schedule, the divergence check and
   * the memory monitor and before the checkpoint, so what it changes in the state is saved with the
   * epoch and a resumed run continues as the uninterrupted one would.
   */
  public Trainer addListener(TrainingListener listener) {
    extraListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Trains on {@code r}'s devices: every step splits the batch over the replicas and all-reduces
   * their gradients ({@link ReplicatedStep}). The run's config, checkpoints and results do not
   * change, so a run may resume with other replicas.
   */
  public Trainer withReplicas(Replicas r) {
    this.replicas = java.util.Objects.requireNonNull(r, "replicas");
    return this;
  }

  /**
   * Trains as task {@code c.task()} of a multi-process job, whose gRPC server must be running: each
   * step reads this task's rows of the global batch and all-reduces with every task's replicas.
   * Validation and test run in every task on the whole split (the weights are the same everywhere).
   * Give each task but 0 a run directory of its own: only task 0's is the job's. Steps run under
   * deadlines ({@link JobGuard}); one that fails or overruns ends the run with a {@link
   * WorkerFailure}, or through {@code watchdog} when TensorFlow's timeouts do not fire.
   */
  public Trainer withCluster(Cluster c, StepWatchdog watchdog, long stepTimeoutMs) {
    this.cluster = java.util.Objects.requireNonNull(c, "cluster");
    this.watchdog = java.util.Objects.requireNonNull(watchdog, "watchdog");
    this.stepTimeoutMs = stepTimeoutMs;
    return this;
  }

  /**
   * Rows of device-resident data for this run ({@code train.dataOnDevice}), or 0 to feed every
   * batch from the host.
   */
  private long residentRows(TrainConfig t, TrainingGraph.Options options, List<Dataset> splits) {
    String unsupported =
        t.bpttWindow() > 0
            ? "BPTT windows"
            : options.replicas().parallel()
                ? "--replicas"
                : cluster != null
                    ? "a multi-process job"
                    : splits.stream().anyMatch(d -> d.streams() > 0)
                        ? "stream data (a language model's carried state)"
                        : null;
    long rows = splits.stream().mapToLong(Dataset::size).sum();
    return switch (t.dataOnDevice()) {
      case OFF -> 0;
      case ON -> {
        if (unsupported != null) {
          throw new IllegalArgumentException(
              "train.dataOnDevice on does not serve "
                  + unsupported
                  + ": set train.dataOnDevice to auto or off");
        }
        yield rows;
      }
      case AUTO ->
          unsupported == null
                  && ResidentData.bytes(splits) <= TrainConfig.AUTO_RESIDENT_BYTES
                  && (sessionConfig == null
                      || sessionConfig.getDeviceCountOrDefault("GPU", -1) != 0)
                  && engram.runtime.Compute.hasGpu()
              ? rows
              : 0;
    };
  }

  /** Trains and validates one epoch; the run's state then counts it. */
  private EpochMetrics trainEpoch(TrainingRun run, List<TrainingListener> listeners)
      throws IOException {
    TrainConfig t = config.train();
    TrainerState state = run.state();
    TrainingGraph g = run.graph();
    int epoch = state.epoch() + 1;
    for (TrainingListener l : listeners) {
      l.onEpochBegin(run, epoch);
    }
    Dataset train = data.train();
    // Stream windows go in order, one window of every stream per batch, the state carried from
    // each to the next and reset here; independent examples are shuffled.
    g.resetState();
    int n = train.batchSize(t.batchSize());
    Batches batches =
        train.streams() > 0
            ? Batches.inOrder(train, n)
            : Batches.shuffled(train, n, shuffleSeed(t.seed(), epoch));
    Batch batch = Batch.forDataset(train, n);
    int resident = g.residentOffset(train);
    long step = state.globalStep();
    double lossSum = 0;
    long correct = 0;
    long seen = 0;
    long start = System.nanoTime();
    float lr = (float) state.learningRate();
    // Scores wait on the device (DeviceScores) and arrive when the progress display is due, when
    // the slots are full and at the epoch's end; listeners then get each step's in order.
    int slots = g.scoreSlots(); // train.fetchEvery N > 1 gives N slots; 0 (auto) the most
    int waiting = 0;
    try (Progress.Task bar =
        progress.start(String.format("epoch %d/%d", epoch, t.epochs()), batches.count())) {
      for (int b = 0; b < batches.count(); b++) {
        if (cluster == null) {
          batches.fill(b, batch, resident);
        } else {
          batches.fillShard(b, batch, cluster.task(), cluster.workers().size());
        }
        TrainingListener.Step begin =
            new TrainingListener.Step(epoch, b + 1, batches.count(), step, null);
        for (TrainingListener l : listeners) {
          l.onBatchBegin(run, begin);
        }
        List<TrainingGraph.BatchResult> results;
        try {
          if (slots == 0) {
            results = List.of(g.trainStep(batch, lr, new long[] {t.seed(), step}));
          } else {
            boolean fetch =
                waiting + 1 == slots
                    || b + 1 == batches.count()
                    || (t.fetchEvery() == 0 && bar.due(b + 1));
            results = g.trainStep(batch, lr, new long[] {t.seed(), step}, waiting, fetch);
            waiting = fetch ? 0 : waiting + 1;
          }
        } catch (RuntimeException e) {
          if (cluster == null) {
            throw e;
          }
          throw WorkerFailure.of(cluster, "step " + (b + 1) + " of epoch " + epoch, e);
        }
        step++;
        int first = b + 1 - results.size(); // 0-based batch of results.get(0)
        for (int k = 0; k < results.size(); k++) {
          TrainingGraph.BatchResult r = results.get(k);
          TrainingListener.Step end =
              new TrainingListener.Step(
                  epoch, first + k + 1, batches.count(), step - results.size() + k, r);
          for (TrainingListener l : listeners) {
            l.onBatchEnd(run, end);
          }
          lossSum += r.loss() * r.size();
          correct += r.correct();
          seen += r.size();
        }
        if (!results.isEmpty()) {
          bar.update(b + 1, g.task().describe(lossSum / seen, (double) correct / seen));
        }
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
            "epoch %d/%d: %s | val %s | lr %.3g | %.1f s (%.0f ms/step, %.0f %ss/s)",
            epoch,
            t.epochs(),
            g.task().describe(metrics.trainLoss(), metrics.trainAccuracy()),
            g.task().describe(metrics.valLoss(), metrics.valAccuracy()),
            metrics.learningRate(),
            seconds,
            metrics.msPerStep(),
            seen / trainSeconds,
            g.task().unit()));
    double[] scale = g.lossScale();
    if (scale != null) {
      LOG.info(
          String.format(
              Locale.ROOT,
              "loss scale %.0f; %d steps skipped so far because their float16 gradients overflowed",
              scale[0],
              (long) scale[1]));
    }
    // Keras EarlyStopping(min_delta=0): any decrease counts.
    boolean improved = data.validation().size() > 0 && val.loss() < state.bestValLoss();
    long steps = step;
    run.update(s -> s.after(metrics, steps, improved));
    return metrics;
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
    return new TrainingGraph.BatchResult(e.loss(), e.correct(), e.count());
  }

  /** The training graph of {@code config} for examples shaped like {@code data}'s. */
  static TrainingGraph graphFor(RunConfig config, Dataset data, ConfigProto sessionConfig) {
    return graphFor(config, data, sessionConfig, TrainingGraph.Options.of(config.train()));
  }

  static TrainingGraph graphFor(
      RunConfig config, Dataset data, ConfigProto sessionConfig, TrainingGraph.Options options) {
    return new TrainingGraph(
        config.model(), data.inputs(), data.target(), data.streams(), options, sessionConfig);
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
      AtomicFiles.writeString(runDir.resolve(RunDirectory.CONFIG_FILE), config.toJson() + "\n");
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
}
