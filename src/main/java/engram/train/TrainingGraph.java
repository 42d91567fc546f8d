package engram.train;

import engram.cells.NoiseSource;
import engram.data.Batch;
import engram.data.Batches;
import engram.data.Dataset;
import engram.data.Feature;
import engram.data.Target;
import engram.distributed.Cluster;
import engram.distributed.Replicas;
import engram.models.Model;
import engram.models.ModelConfig;
import engram.models.Models;
import engram.models.SequenceModel;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Scalars;
import engram.ops.SeedStream;
import engram.tasks.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.GraphHandles;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * The graph and session of one training run: a {@link Model}, its {@link Task}'s loss, gradients
 * and Adam update, plus an evaluation path that shares the weights. Owns (and closes) its Graph and
 * Session.
 *
 * <p>A training step is one {@code Session.run}: feed the inputs, targets, learning rate and seed;
 * run the update; fetch the batch loss, the scored count and the number of correct predictions.
 * Dropout and ENN noise are drawn from {@code [seed, global step]}, so a step's randomness is
 * reproducible. For stream datasets ({@link engram.data.Dataset#streams()}) each path carries the
 * recurrent state from one batch to the next ({@link StateCarry}) until {@link #resetState()}.
 */
public final class TrainingGraph implements AutoCloseable {

  /**
   * What one batch scored.
   *
   * @param loss mean loss over the scored units (examples; tokens for a language model)
   * @param correct units predicted right
   * @param size units scored
   */
  public record BatchResult(double loss, long correct, long size) {}

  /**
   * How the graph is built, beyond the model and data.
   *
   * @param initSeed seed of the weight initializers
   * @param clipnorm Adam's per-variable gradient-norm cap; 0 = off
   * @param deterministicEval evaluate without the cells' random draws
   * @param bptt whole-sequence or windowed back-propagation (sequence models only)
   * @param precision the floating type of weights, activations, loss and gradients
   * @param replicas the devices (and processes) that share each training step ({@link
   *     ReplicatedStep})
   * @param cluster the worker processes whose gRPC servers run the graph, or null to run it in this
   *     process alone
   * @param residentRows rows of device-resident data the graph keeps ({@link #loadResident}); 0 =
   *     every batch is fed from the host
   * @param scoreSlots steps whose training scores can wait on the device between fetches ({@link
   *     #trainStep(Batch, float, long[], int, boolean)}); 0 = every step fetches its own
   */
  public record Options(
      long initSeed,
      double clipnorm,
      boolean deterministicEval,
      Bptt bptt,
      Precision precision,
      Replicas replicas,
      Cluster cluster,
      long residentRows,
      int scoreSlots) {

    /** The options a run of {@code train} builds its graph with, on one device. */
    public static Options of(TrainConfig t) {
      return new Options(
          t.seed(),
          t.clipnorm(),
          t.deterministicEval(),
          t.bptt(),
          t.precision(),
          Replicas.single(),
          null,
          0,
          t.scoreSlots());
    }

    /**
     * Weights from {@code seed}, no clipping, deterministic evaluation, whole sequences, float32,
     * one device.
     */
    public static Options defaults(long seed) {
      return new Options(
          seed, 0, true, new Bptt(0, false), Precision.FLOAT32, Replicas.single(), null, 0, 0);
    }

    public Options withClipnorm(double c) {
      return new Options(
          initSeed,
          c,
          deterministicEval,
          bptt,
          precision,
          replicas,
          cluster,
          residentRows,
          scoreSlots);
    }

    public Options withBptt(Bptt b) {
      return new Options(
          initSeed,
          clipnorm,
          deterministicEval,
          b,
          precision,
          replicas,
          cluster,
          residentRows,
          scoreSlots);
    }

    public Options withPrecision(Precision p) {
      return new Options(
          initSeed,
          clipnorm,
          deterministicEval,
          bptt,
          p,
          replicas,
          cluster,
          residentRows,
          scoreSlots);
    }

    public Options withReplicas(Replicas r) {
      return new Options(
          initSeed,
          clipnorm,
          deterministicEval,
          bptt,
          precision,
          r,
          cluster,
          residentRows,
          scoreSlots);
    }

    /** These options with a device-resident store of {@code rows} examples (0 = none). */
    public Options withResidentRows(long rows) {
      return new Options(
          initSeed,
          clipnorm,
          deterministicEval,
          bptt,
          precision,
          replicas,
          cluster,
          rows,
          scoreSlots);
    }

    /**
     * These options as task {@code c.task()} of cluster {@code c}: the replicas' devices named in
     * full, the session on this task's gRPC server (which must be running).
     */
    public Options withCluster(Cluster c) {
      return new Options(
          initSeed,
          clipnorm,
          deterministicEval,
          bptt,
          precision,
          replicas.inCluster(c.workers().size(), c.task()),
          c,
          residentRows,
          scoreSlots);
    }

    /**
     * These options with room for {@code slots} steps' training scores on the device (0 = every
     * step fetches its own); graphs that carry state, train in BPTT windows or on several replicas
     * keep fetching every step.
     */
    public Options withScoreSlots(int slots) {
      return new Options(
          initSeed,
          clipnorm,
          deterministicEval,
          bptt,
          precision,
          replicas,
          cluster,
          residentRows,
          slots);
    }
  }

  private final Graph graph;
  private final Session session;
  private final List<Feature> inputs;
  private final Task task;
  private final Paths<?> paths;
  private final Map<Dataset, Integer> residentOffsets = new java.util.IdentityHashMap<>();

  /**
   * Whether the session may place the graph on a GPU. There a recurrent weight's gradient is one
   * batched product ({@link engram.ops.SharedWeightGradients}): fewer kernels on the GPU's one
   * stream. On a CPU TensorFlow's per-step products stay: they run on an idle core beside the
   * recurrence, while the batched product waits for its end (the LSTM step is 8-12 % faster so).
   */
  private final boolean onGpu;

  private long stepTimeoutMs;

  /**
   * What the graph holds, in its floating type T.
   *
   * @param trainStep the update op (null with BPTT windows, which run their own)
   * @param trainCarry for stream datasets, the state the training path carries between batches
   *     (null otherwise); likewise {@code evalCarry}
   * @param windows windowed BPTT's paths and update (null when the whole sequence is one graph)
   */
  private record Paths<T extends TFloating>(
      Class<T> type,
      Model<T> model,
      ParamSet<T> params,
      List<Operand<?>> placeholders,
      Operand<?> y,
      Placeholder<T> learningRate,
      Placeholder<TInt64> seed,
      Task.Scores<T> trainScores,
      Op trainStep,
      Task.Scores<T> evalScores,
      Operand<T> evalLogits,
      StateCarry<T> trainCarry,
      StateCarry<T> evalCarry,
      Map<String, Operand<T>> evalMemory,
      WindowedSteps<T> windows,
      ResidentData resident,
      DeviceScores deviceScores,
      LossScale lossScale) {}

  /** A fetched tensor: its values, row-major, and its shape. */
  public record Array(float[] values, long[] shape) {

    /** A copy of {@code t}'s values (float64 ones rounded to float). */
    static Array of(Tensor t) {
      float[] values = new float[(int) t.shape().size()];
      if (t instanceof TFloat64 d) {
        double[] wide = new double[values.length];
        d.asRawTensor().data().asDoubles().read(wide);
        for (int i = 0; i < wide.length; i++) {
          values[i] = (float) wide[i];
        }
      } else {
        ((TFloat32) t).asRawTensor().data().asFloats().read(values);
      }
      return new Array(values, t.shape().asArray());
    }
  }

  /**
   * Builds the graph for {@code modelConfig} over examples made of {@code inputs}, scored against
   * {@code target}.
   *
   * @param streams the dataset's {@link engram.data.Dataset#streams()}: > 0 carries the state
   */
  public TrainingGraph(
      ModelConfig modelConfig,
      List<Feature> inputs,
      Target target,
      int streams,
      Options options,
      ConfigProto sessionConfig) {
    this.inputs = List.copyOf(inputs);
    this.task = Task.of(target);
    this.graph = new Graph();
    this.onGpu =
        (sessionConfig == null || sessionConfig.getDeviceCountOrDefault("GPU", -1) != 0)
            && engram.runtime.Compute.hasGpu();
    try {
      paths =
          build(
              Ops.create(graph), options.precision().type(), modelConfig, target, streams, options);
      ConfigProto config = options.replicas().configure(sessionConfig);
      if (options.cluster() != null) {
        session =
            GraphHandles.session(
                graph, options.cluster().target(), options.cluster().sessionConfig(config));
        session.initialize(); // a session on a target does not initialize by itself
      } else {
        session = config == null ? new Session(graph) : new Session(graph, config);
      }
      if (paths.deviceScores() != null) {
        paths.deviceScores().initialize(session);
      }
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  @SuppressWarnings("unchecked") // a mixed model is float32 outside, whatever T says
  private <T extends TFloating> Paths<T> build(
      Ops tf, Class<T> type, ModelConfig modelConfig, Target target, int streams, Options options) {
    ParamSet<T> params;
    Model<T> model;
    if (options.precision().mixed()) {
      if (options.bptt().window() > 0 || streams > 0) {
        throw new IllegalArgumentException(
            "train.precision "
                + options.precision()
                + " trains whole sequences of independent examples: set train.bpttWindow to 0,"
                + " or train stream data in float32");
      }
      if (options.precision().lossScaled() && options.replicas().parallel()) {
        throw new IllegalArgumentException(
            "train.precision float16 scales the loss on one device: drop --replicas, or use bf16");
      }
      ParamSet<?> view = ParamSet.mixed(tf, options.precision().compute(), options.initSeed());
      model = (Model<T>) mixedModel(view, modelConfig, target);
      params = (ParamSet<T>) view.masters();
    } else {
      params = ParamSet.create(tf, type, options.initSeed());
      model = Models.create(params, modelConfig, Inputs.shapes(inputs), target.outputs());
    }
    TrainingPaths.checkOutputs(modelConfig, target);
    // Adam's slot variables are made while the graph is small: TF-Java's withSubScope scans every
    // op already in the graph, so scoped ops created after the unrolled model cost O(graph size).
    List<Param<T>> trainable = params.trainable();
    Adam<T> adam = new Adam<>(tf, trainable, type, options.clipnorm());

    Ops in = tf.withSubScope("input");
    ResidentData resident = null;
    if (options.residentRows() > 0) {
      if (options.bptt().window() > 0 || options.replicas().parallel() || streams > 0) {
        throw new IllegalArgumentException(
            "device-resident data serves whole-sequence steps of independent examples on one"
                + " device; BPTT windows, --replicas and stream data take their batches from the"
                + " host: set train.dataOnDevice off (bench: drop --data-on-device)");
      }
      resident = new ResidentData(tf, options.residentRows());
    }
    List<Operand<?>> placeholders = new ArrayList<>();
    Map<String, Operand<?>> feeds = new LinkedHashMap<>();
    for (Feature f : inputs) {
      Placeholder<?> p = Inputs.placeholder(in, f);
      Operand<?> fed = resident == null ? p : resident.behind(in, p, f.name());
      placeholders.add(fed);
      // Inputs are fed as float32; a float64 model reads them widened.
      boolean widen = f.kind() == Feature.Kind.FLOAT && type != TFloat32.class;
      feeds.put(
          f.name(),
          widen ? in.withName(f.name() + "_" + type.getSimpleName()).dtypes.cast(fed, type) : fed);
    }
    Operand<?> y = task.placeholder(in);
    if (resident != null) {
      y = resident.behind(in, (Placeholder<?>) y, "y");
    }
    Placeholder<T> learningRate =
        in.withName("learning_rate").placeholder(type, Placeholder.shape(Shape.scalar()));
    Placeholder<TInt64> seed =
        in.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));

    SequenceModel<T> windowed = TrainingPaths.windowed(model, modelConfig, options.bptt(), streams);
    if (options.replicas().parallel() && (windowed != null || streams > 0)) {
      throw new IllegalArgumentException(
          "--replicas splits batches of independent examples; BPTT windows and stream data (a"
              + " language model's carried state) train on one device: drop --replicas, or set"
              + " train.bpttWindow to 0");
    }
    boolean penalised = modelConfig.engram() != null && modelConfig.engram().penalised();
    if (penalised && (windowed != null || streams > 0 || options.replicas().parallel())) {
      throw new IllegalArgumentException(
          "engram.attentionPenalty trains whole sequences of independent examples on one device:"
              + " set it to none, or drop --replicas, train.bpttWindow and stream data");
    }
    if (windowed != null) {
      WindowedSteps<T> windows =
          new WindowedSteps<>(
              tf,
              windowed,
              task,
              y,
              inputs.get(0),
              options.bptt(),
              seed,
              options.deterministicEval(),
              trainable,
              adam,
              learningRate,
              onGpu);
      return new Paths<>(
          type,
          model,
          params,
          placeholders,
          y,
          learningRate,
          seed,
          windows.trainScores(),
          null,
          windows.evalScores(),
          windows.evalLogits(),
          null,
          null,
          Map.of(),
          windows,
          null,
          null,
          null);
    }
    SequenceModel<T> stateful = TrainingPaths.stateful(model, streams);
    // Training path: dropout and batch statistics on, noise drawn from the step seed.
    Ops train = tf.withSubScope("train");
    StateCarry<T> trainCarry = null;
    Task.Scores<T> trainScores;
    Op trainStep;
    LossScale lossScale = options.precision().lossScaled() ? new LossScale(tf) : null;
    if (options.replicas().parallel()) {
      ReplicatedStep.Built<T> replicated =
          ReplicatedStep.build(
              train,
              model,
              task,
              feeds,
              y,
              seed,
              trainable,
              adam,
              learningRate,
              options.replicas());
      trainScores = replicated.scores();
      trainStep = replicated.step();
    } else {
      SeedStream seeds = new SeedStream(seed);
      Model.Forward<T> forward;
      if (stateful != null) {
        TrainingPaths.Carried<T> c =
            TrainingPaths.carried(train, stateful, feeds, true, NoiseSource.seeded(seeds), seeds);
        trainCarry = c.carry();
        forward = new Model.Forward<>(c.outputs(), List.of());
      } else {
        forward = model.forward(train, feeds, true, NoiseSource.seeded(seeds), seeds);
      }
      trainScores = task.score(train, forward.outputs(), y);
      trainStep =
          TrainingPaths.adamStep(
              tf,
              train,
              model,
              forward,
              trainScores.objective(),
              trainable,
              adam,
              learningRate,
              lossScale,
              onGpu);
    }

    // Evaluation path: same weights, no dropout, deterministic or freshly drawn noise.
    Ops eval = tf.withSubScope("eval");
    SeedStream evalSeeds = new SeedStream(seed);
    NoiseSource evalNoise =
        options.deterministicEval() ? NoiseSource.zeros() : NoiseSource.seeded(evalSeeds);
    StateCarry<T> evalCarry = null;
    Operand<T> evalLogits;
    Map<String, Operand<T>> evalMemory;
    if (stateful != null) {
      TrainingPaths.Carried<T> c =
          TrainingPaths.carried(eval, stateful, feeds, false, evalNoise, evalSeeds);
      evalCarry = c.carry();
      evalLogits = eval.withName("logits").identity(c.outputs());
      evalMemory = c.memory();
    } else {
      Model.Forward<T> evalForward = model.forward(eval, feeds, false, evalNoise, evalSeeds);
      evalLogits = eval.withName("logits").identity(evalForward.outputs());
      evalMemory = evalForward.memory();
    }
    return new Paths<>(
        type,
        model,
        params,
        placeholders,
        y,
        learningRate,
        seed,
        trainScores,
        trainStep,
        task.score(eval, evalLogits, y),
        evalLogits,
        trainCarry,
        evalCarry,
        evalMemory,
        null,
        resident,
        options.scoreSlots() > 1
                && !options.replicas().parallel()
                && stateful == null
                && options.cluster() == null
            ? new DeviceScores(train, trainScores, options.scoreSlots())
            : null,
        lossScale);
  }

  /** The model in the view's reduced type, seen as a float32 model. */
  private <R extends TFloating> Model<TFloat32> mixedModel(
      ParamSet<R> view, ModelConfig modelConfig, Target target) {
    Model<R> inner = Models.create(view, modelConfig, Inputs.shapes(inputs), target.outputs());
    return new engram.models.MixedPrecisionModel<>(inner, view.type());
  }

  /** Whether training runs in BPTT paths.windows(). */
  public boolean windowed() {
    return paths.windows() != null;
  }

  /** The model built in this graph. */
  public Model<?> model() {
    return paths.model();
  }

  /** The model's variables. */
  public ParamSet<?> params() {
    return paths.params();
  }

  /** The floating type of the weights and the loss. */
  public Class<? extends TFloating> type() {
    return paths.type();
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  /**
   * Training steps fail (with TensorFlow's deadline error) when they take longer than {@code
   * millis}; 0 = no limit. A multi-process job sets one, so that a failed worker ends it.
   */
  public void setStepTimeout(long millis) {
    this.stepTimeoutMs = millis;
  }

  /** Runs one training step on {@code batch}. */
  public BatchResult trainStep(Batch batch, float lr, long[] stepSeed) {
    return run(batch, lr, stepSeed, null).result();
  }

  /**
   * float16 runs: the loss scale S and the steps skipped so far because their gradients overflowed
   * ({@link LossScale}); null for graphs that do not scale the loss.
   */
  public double[] lossScale() {
    return paths.lossScale() == null ? null : paths.lossScale().state(session);
  }

  /** Steps whose scores can wait on the device between two fetches; 0 = none can. */
  public int scoreSlots() {
    return paths.deviceScores() == null ? 0 : paths.deviceScores().slots();
  }

  /**
   * Runs one training step like {@link #trainStep(Batch, float, long[])}, but its scores stay on
   * the device in slot {@code slot} (0 .. {@link #scoreSlots()} - 1). With {@code fetch} the run
   * also fetches slots 0 .. {@code slot}, this step's last, and returns them; else nothing comes
   * back (an empty list) and the host does not wait for the scores.
   */
  public List<BatchResult> trainStep(
      Batch batch, float lr, long[] stepSeed, int slot, boolean fetch) {
    DeviceScores scores = paths.deviceScores();
    if (scores == null || slot < 0 || slot >= scores.slots()) {
      throw new IllegalArgumentException(
          "slot " + slot + " is outside this graph's " + scoreSlots() + " score slots");
    }
    List<Tensor> owned = new ArrayList<>();
    try (TFloating lrt = Scalars.tensor(lr, paths.type());
        TInt64 st = TInt64.vectorOf(stepSeed);
        TInt32 at = TInt32.scalarOf(slot)) {
      Session.Runner runner = stepRunner(batch, lrt, st, owned);
      scores.add(runner, at, fetch);
      RunOptions options = withTimeout(null);
      if (options != null) {
        runner.setOptions(options);
      }
      if (!fetch) {
        runner.run().close();
        return List.of();
      }
      try (Result r = runner.run()) {
        return DeviceScores.results(r.get(0), slot);
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /**
   * Runs one training step like {@link #trainStep(Batch, float, long[])} while TensorFlow records
   * what it did: per-op timings and allocator statistics ({@code step_stats}) and the graphs it
   * actually ran ({@code partition_graphs}, where XLA clusters show up as {@code _XlaRun} nodes).
   * With BPTT paths.windows(), the record is the last window's run (forward, loss and its
   * gradients).
   */
  public RunMetadata tracedTrainStep(Batch batch, float lr, long[] stepSeed) {
    RunOptions options =
        RunOptions.newBuilder()
            .setTraceLevel(RunOptions.TraceLevel.FULL_TRACE)
            .setOutputPartitionGraphs(true)
            .build();
    return run(batch, lr, stepSeed, options).metadata();
  }

  private record Step(BatchResult result, RunMetadata metadata) {}

  /** A runner for one training step: the batch, learning rate and seed fed, the update targeted. */
  private Session.Runner stepRunner(Batch batch, TFloating lr, TInt64 seed, List<Tensor> owned) {
    return feed(session.runner(), batch, owned)
        .feed(paths.learningRate(), lr)
        .feed(paths.seed(), seed)
        .addTarget(paths.trainStep());
  }

  /** {@code options} (null for none) with the step deadline of a job's step, if it has one. */
  private RunOptions withTimeout(RunOptions options) {
    if (stepTimeoutMs <= 0) {
      return options;
    }
    return (options == null ? RunOptions.newBuilder() : options.toBuilder())
        .setTimeoutInMs(stepTimeoutMs)
        .build();
  }

  private Step run(Batch batch, float lr, long[] stepSeed, RunOptions options) {
    boolean traced = options != null;
    options = withTimeout(options);
    if (paths.windows() != null) {
      List<Tensor> owned = new ArrayList<>();
      try (BpttWindows.Pass pass =
          paths
              .windows()
              .trainStep(session, batch, lr, stepSeed, paths.y(), targets(batch, owned), options)) {
        return new Step(scored(pass.last(), true), pass.metadata());
      } finally {
        owned.forEach(Tensor::close);
      }
    }
    List<Tensor> owned = new ArrayList<>();
    Result r = null;
    try (TFloating lrt = Scalars.tensor(lr, paths.type());
        TInt64 st = TInt64.vectorOf(stepSeed)) {
      Session.Runner runner = stepRunner(batch, lrt, st, owned);
      paths.trainScores().fetches(true).forEach(runner::fetch);
      if (paths.trainCarry() != null) {
        paths.trainCarry().feed(runner);
        paths.trainCarry().fetch(runner);
      }
      if (options != null) {
        runner.setOptions(options);
      }
      // Only a traced step fetches metadata: a session on a gRPC target returns none to parse.
      r = traced ? runner.runAndFetchMetadata() : runner.run();
      // Fetching the scalars is a host sync point; they are 12 bytes and feed the progress bar.
      Step step = new Step(scored(r, true), traced ? r.getMetadata().orElseThrow() : null);
      if (paths.trainCarry() != null) {
        paths.trainCarry().keep(r, SCORES);
        r = null;
      }
      return step;
    } finally {
      if (r != null) {
        r.close();
      }
      owned.forEach(Tensor::close);
    }
  }

  /** Fetches per batch of {@link Task.Scores#fetches}: the state and logits come after them. */
  private static final int SCORES = 3;

  /**
   * The result of a run that fetched {@link Task.Scores#fetches}{@code (mean)} first: the mean loss
   * (fetched as such, or the sum divided by the count), correct and scored counts.
   */
  static BatchResult scored(Result r, boolean mean) {
    double loss = Scalars.read(r.get(0));
    long count = Math.round(Scalars.read(r.get(1)));
    long correct = Math.round(Scalars.read(r.get(2)));
    return new BatchResult(mean ? loss : count == 0 ? 0 : loss / count, correct, count);
  }

  /**
   * Evaluates {@code batch}: the mean loss, correct and scored counts, also copying the outputs
   * (row-major) into {@code logits} at {@code offset} when {@code logits} is not null. Stream data
   * continues from the state the previous batch ended in.
   */
  public BatchResult evaluate(Batch batch, long[] evalSeed, float[] logits, int offset) {
    List<Tensor> owned = new ArrayList<>();
    if (paths.windows() != null) {
      try (BpttWindows.Pass pass =
          paths.windows().evaluate(session, batch, evalSeed, paths.y(), targets(batch, owned))) {
        return evaluated(pass.last(), logits, offset);
      } finally {
        owned.forEach(Tensor::close);
      }
    }
    Result r = null;
    try (TInt64 st = TInt64.vectorOf(evalSeed)) {
      Session.Runner runner = feed(session.runner(), batch, owned).feed(paths.seed(), st);
      paths.evalScores().fetches(false).forEach(runner::fetch);
      runner.fetch(paths.evalLogits());
      if (paths.evalCarry() != null) {
        paths.evalCarry().feed(runner);
        paths.evalCarry().fetch(runner);
      }
      r = runner.run();
      BatchResult result = evaluated(r, logits, offset);
      if (paths.evalCarry() != null) {
        paths.evalCarry().keep(r, SCORES + 1);
        r = null;
      }
      return result;
    } finally {
      if (r != null) {
        r.close();
      }
      owned.forEach(Tensor::close);
    }
  }

  /** Forgets the state stream data carried: the next batch starts from the initial state. */
  public void resetState() {
    if (paths.trainCarry() != null) {
      paths.trainCarry().reset();
      paths.evalCarry().reset();
    }
  }

  /** Scores and (when {@code logits} is given) outputs of an evaluation. */
  private static BatchResult evaluated(Result r, float[] logits, int offset) {
    if (logits != null) {
      float[] values = Array.of(r.get(SCORES)).values();
      System.arraycopy(values, 0, logits, offset, values.length);
    }
    return scored(r, false);
  }

  /** Whether the model exposes its memory (the ENN's trace, H-Mem's associations). */
  public boolean hasMemory() {
    return paths.windows() != null ? paths.windows().hasMemory() : !paths.evalMemory().isEmpty();
  }

  /**
   * The model's memory on {@code batch}, through the evaluation path (no dropout; deterministic
   * unless the run evaluates stochastically): see {@link Model.Forward#memory()}.
   */
  public Map<String, Array> memory(Batch batch, long[] evalSeed) {
    if (paths.windows() != null) {
      return paths.windows().memory(session, batch, evalSeed);
    }
    List<Tensor> owned = new ArrayList<>();
    List<String> names = new ArrayList<>(new TreeSet<>(paths.evalMemory().keySet()));
    try (TInt64 st = TInt64.vectorOf(evalSeed)) {
      Session.Runner runner = feed(session.runner(), batch, owned).feed(paths.seed(), st);
      names.forEach(n -> runner.fetch(paths.evalMemory().get(n)));
      try (Result r = runner.run()) {
        Map<String, Array> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
          out.put(names.get(i), Array.of(r.get(i)));
        }
        return out;
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  private Tensor targets(Batch batch, List<Tensor> owned) {
    Tensor t = task.tensor(batch);
    owned.add(t);
    return t;
  }

  /**
   * Feeds the inputs and targets of {@code batch}, or only its row numbers when it names rows of
   * the device-resident data; the tensors it creates go to {@code owned}.
   */
  private Session.Runner feed(Session.Runner runner, Batch batch, List<Tensor> owned) {
    int n = batch.size();
    if (batch.rowsOnly()) {
      if (paths.resident() == null) {
        throw new IllegalStateException("a batch of resident rows, but this graph keeps no data");
      }
      Tensor rows = TInt32.vectorOf(java.util.Arrays.copyOf(batch.rows(), n));
      owned.add(rows);
      return runner.feed(paths.resident().rows(), rows);
    }
    List<Tensor> tensors = hostTensors(batch, owned);
    for (int i = 0; i < inputs.size(); i++) {
      runner.feed(paths.placeholders().get(i), tensors.get(i));
    }
    return runner.feed(paths.y(), tensors.get(inputs.size()));
  }

  /**
   * The tensors of {@code batch}'s inputs, in input order, then of its targets; they are added to
   * {@code owned}, which the caller closes.
   */
  private List<Tensor> hostTensors(Batch batch, List<Tensor> owned) {
    List<Tensor> tensors = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Tensor t = Inputs.tensor(inputs.get(i), batch, i);
      owned.add(t);
      tensors.add(t);
    }
    tensors.add(targets(batch, owned));
    return tensors;
  }

  /**
   * Puts {@code sets} into the device-resident data, one after another from row 0; afterwards
   * {@link #residentOffset} says where each starts. Needs a graph built with {@link
   * Options#residentRows()} at least their total size.
   */
  public void loadResident(List<Dataset> sets) {
    ResidentData store = paths.resident();
    if (store == null) {
      throw new IllegalStateException("this graph was built without device-resident data");
    }
    long total = sets.stream().mapToLong(Dataset::size).sum();
    if (total > store.capacity()) {
      throw new IllegalArgumentException(
          total + " examples do not fit the " + store.capacity() + " resident rows");
    }
    store.initialize(session);
    residentOffsets.clear();
    long first = 0;
    for (Dataset set : sets) {
      residentOffsets.put(set, (int) first);
      long rowBytes = ResidentData.rowBytes(set);
      int chunk = (int) Math.max(1, Math.min(set.size(), ResidentData.LOAD_BYTES / rowBytes));
      Batches rows = Batches.inOrder(set, chunk);
      Batch batch = Batch.forDataset(set, chunk);
      for (int b = 0; b < rows.count(); b++) {
        rows.fill(b, batch);
        List<Tensor> owned = new ArrayList<>();
        try {
          store.load(session, first + (long) b * chunk, hostTensors(batch, owned));
        } finally {
          owned.forEach(Tensor::close);
        }
      }
      first += set.size();
    }
  }

  /** The row where {@code set} starts in the device-resident data, or -1 when it is not there. */
  public int residentOffset(Dataset set) {
    return residentOffsets.getOrDefault(set, -1);
  }

  /**
   * Sets model weights by name (e.g. imported from Keras). Every trainable parameter must be given,
   * with exactly its number of values (row-major); unknown names are errors.
   */
  public void setWeights(Map<String, float[]> weights) {
    WeightAssignment.assign(graph, session, paths.params().trainable(), weights);
  }

  /** Writes every variable (weights and optimizer slots) to {@code prefix.index/.data-*}. */
  public void save(String prefix) {
    session.save(prefix);
  }

  /** Restores every variable from {@code prefix}; the initializers are then not run. */
  public void restore(String prefix) {
    session.restore(prefix);
  }

  /** The task that scores this graph's outputs. */
  public Task task() {
    return task;
  }

  @Override
  public void close() {
    try {
      if (paths.trainCarry() != null) {
        paths.trainCarry().close();
        paths.evalCarry().close();
      }
      session.close();
    } finally {
      graph.close();
    }
  }
}
