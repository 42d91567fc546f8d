package engram.train;

import engram.cells.NoiseSource;
import engram.data.Batch;
import engram.data.Feature;
import engram.data.Target;
import engram.models.Model;
import engram.models.ModelConfig;
import engram.models.Models;
import engram.models.SequenceModel;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.SeedStream;
import engram.tasks.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tensorflow.Graph;
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
import org.tensorflow.types.TInt64;

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

  private final Graph graph;
  private final Session session;
  private final Model<TFloat32> model;
  private final ParamSet<TFloat32> params;
  private final List<Feature> inputs;
  private final List<Placeholder<?>> placeholders = new ArrayList<>();
  private final Task task;
  private final Operand<?> y;
  private final Placeholder<TFloat32> learningRate;
  private final Placeholder<TInt64> seed;
  private final Task.Scores trainScores;
  private final Op trainStep;
  private final Task.Scores evalScores;
  private final Operand<TFloat32> evalLogits;
  // Stream datasets: the state each path carries between batches (null otherwise).
  private final StateCarry trainCarry;
  private final StateCarry evalCarry;
  private final Map<String, Operand<TFloat32>> evalMemory;
  // Windowed BPTT: both paths and the update (null when the whole sequence is one graph).
  private final WindowedSteps windows;

  /** A fetched tensor: its values, row-major, and its shape. */
  public record Array(float[] values, long[] shape) {

    /** A copy of {@code t}'s values. */
    static Array of(Tensor t) {
      float[] values = new float[(int) t.shape().size()];
      ((TFloat32) t).asRawTensor().data().asFloats().read(values);
      return new Array(values, t.shape().asArray());
    }
  }

  /**
   * Builds the graph for {@code modelConfig} over examples made of {@code inputs}, scored against
   * {@code target}.
   *
   * @param streams the dataset's {@link engram.data.Dataset#streams()}: > 0 carries the state
   * @param initSeed seed of the weight initializers
   * @param deterministicEval evaluate without the cells' random draws
   * @param bptt whole-sequence or windowed back-propagation (sequence models only)
   */
  public TrainingGraph(
      ModelConfig modelConfig,
      List<Feature> inputs,
      Target target,
      int streams,
      long initSeed,
      double clipnorm,
      boolean deterministicEval,
      Bptt bptt,
      ConfigProto sessionConfig) {
    this.inputs = List.copyOf(inputs);
    this.task = Task.of(target);
    this.graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      params = ParamSet.create(tf, TFloat32.class, initSeed);
      model = Models.create(params, modelConfig, Inputs.shapes(inputs), target.classes());
      TrainingPaths.checkOutputs(modelConfig, target);
      // Adam's slot variables are made while the graph is small: TF-Java's withSubScope scans every
      // op already in the graph, so scoped ops created after the unrolled model cost O(graph size).
      List<Param<TFloat32>> trainable = params.trainable();
      Adam<TFloat32> adam = new Adam<>(tf, trainable, TFloat32.class, clipnorm);

      Ops in = tf.withSubScope("input");
      Map<String, Operand<?>> feeds = new LinkedHashMap<>();
      for (Feature f : inputs) {
        Placeholder<?> p = Inputs.placeholder(in, f);
        placeholders.add(p);
        feeds.put(f.name(), p);
      }
      y = task.placeholder(in);
      learningRate =
          in.withName("learning_rate")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      seed = in.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));

      SequenceModel<TFloat32> windowed = TrainingPaths.windowed(model, modelConfig, bptt, streams);
      if (windowed != null) {
        windows =
            new WindowedSteps(
                tf,
                windowed,
                task,
                y,
                inputs.get(0),
                bptt,
                seed,
                deterministicEval,
                trainable,
                adam,
                learningRate);
        trainScores = windows.trainScores();
        trainStep = null;
        trainCarry = null;
        evalScores = windows.evalScores();
        evalLogits = windows.evalLogits();
        evalCarry = null;
        evalMemory = Map.of();
      } else {
        windows = null;
        SequenceModel<TFloat32> stateful = TrainingPaths.stateful(model, streams);
        // Training path: dropout and batch statistics on, noise drawn from the step seed.
        Ops train = tf.withSubScope("train");
        SeedStream seeds = new SeedStream(seed);
        Model.Forward<TFloat32> forward;
        if (stateful != null) {
          TrainingPaths.Carried c =
              TrainingPaths.carried(train, stateful, feeds, true, NoiseSource.seeded(seeds), seeds);
          trainCarry = c.carry();
          forward = new Model.Forward<>(c.outputs(), List.of());
        } else {
          trainCarry = null;
          forward = model.forward(train, feeds, true, NoiseSource.seeded(seeds), seeds);
        }
        trainScores = task.score(train, forward.outputs(), y);
        trainStep =
            TrainingPaths.adamStep(
                tf, train, model, forward, trainScores.objective(), trainable, adam, learningRate);

        // Evaluation path: same weights, no dropout, deterministic or freshly drawn noise.
        Ops eval = tf.withSubScope("eval");
        SeedStream evalSeeds = new SeedStream(seed);
        NoiseSource evalNoise =
            deterministicEval ? NoiseSource.zeros() : NoiseSource.seeded(evalSeeds);
        if (stateful != null) {
          TrainingPaths.Carried c =
              TrainingPaths.carried(eval, stateful, feeds, false, evalNoise, evalSeeds);
          evalCarry = c.carry();
          evalLogits = eval.withName("logits").identity(c.outputs());
          evalMemory = c.memory();
        } else {
          evalCarry = null;
          Model.Forward<TFloat32> evalForward =
              model.forward(eval, feeds, false, evalNoise, evalSeeds);
          evalLogits = eval.withName("logits").identity(evalForward.outputs());
          evalMemory = evalForward.memory();
        }
        evalScores = task.score(eval, evalLogits, y);
      }
      session = sessionConfig == null ? new Session(graph) : new Session(graph, sessionConfig);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** Whether training runs in BPTT windows. */
  public boolean windowed() {
    return windows != null;
  }

  /** The model built in this graph. */
  public Model<TFloat32> model() {
    return model;
  }

  /** The model's variables. */
  public ParamSet<TFloat32> params() {
    return params;
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  /** Runs one training step on {@code batch}. */
  public BatchResult trainStep(Batch batch, float lr, long[] stepSeed) {
    return run(batch, lr, stepSeed, null).result();
  }

  /**
   * Runs one training step like {@link #trainStep(Batch, float, long[])} while TensorFlow records
   * what it did: per-op timings and allocator statistics ({@code step_stats}) and the graphs it
   * actually ran ({@code partition_graphs}, where XLA clusters show up as {@code _XlaRun} nodes).
   * With BPTT windows, the record is the last window's run (forward, loss and its gradients).
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

  private Step run(Batch batch, float lr, long[] stepSeed, RunOptions options) {
    if (windows != null) {
      List<Tensor> owned = new ArrayList<>();
      try (BpttWindows.Pass pass =
          windows.trainStep(
              session, batch, learningRate, lr, stepSeed, y, targets(batch, owned), options)) {
        return new Step(scored(pass.last(), true), pass.metadata());
      } finally {
        owned.forEach(Tensor::close);
      }
    }
    List<Tensor> owned = new ArrayList<>();
    Result r = null;
    try (TFloat32 lrt = TFloat32.scalarOf(lr);
        TInt64 st = TInt64.vectorOf(stepSeed)) {
      Session.Runner runner =
          feed(session.runner(), batch, owned)
              .feed(learningRate, lrt)
              .feed(seed, st)
              .addTarget(trainStep);
      trainScores.fetches(true).forEach(runner::fetch);
      if (trainCarry != null) {
        trainCarry.feed(runner);
        trainCarry.fetch(runner);
      }
      if (options != null) {
        runner.setOptions(options);
      }
      r = options == null ? runner.run() : runner.runAndFetchMetadata();
      // Fetching the scalars is a host sync point; they are 12 bytes and feed the progress bar.
      Step step = new Step(scored(r, true), options == null ? null : r.getMetadata().orElseThrow());
      if (trainCarry != null) {
        trainCarry.keep(r, SCORES);
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
    double loss = ((TFloat32) r.get(0)).getFloat();
    long count = Math.round(((TFloat32) r.get(1)).getFloat());
    long correct = Math.round(((TFloat32) r.get(2)).getFloat());
    return new BatchResult(mean ? loss : count == 0 ? 0 : loss / count, correct, count);
  }

  /**
   * Evaluates {@code batch}: the mean loss, correct and scored counts, also copying the outputs
   * (row-major) into {@code logits} at {@code offset} when {@code logits} is not null. Stream data
   * continues from the state the previous batch ended in.
   */
  public BatchResult evaluate(Batch batch, long[] evalSeed, float[] logits, int offset) {
    List<Tensor> owned = new ArrayList<>();
    if (windows != null) {
      try (BpttWindows.Pass pass =
          windows.evaluate(session, batch, evalSeed, y, targets(batch, owned))) {
        return evaluated(pass.last(), logits, offset);
      } finally {
        owned.forEach(Tensor::close);
      }
    }
    Result r = null;
    try (TInt64 st = TInt64.vectorOf(evalSeed)) {
      Session.Runner runner = feed(session.runner(), batch, owned).feed(seed, st);
      evalScores.fetches(false).forEach(runner::fetch);
      runner.fetch(evalLogits);
      if (evalCarry != null) {
        evalCarry.feed(runner);
        evalCarry.fetch(runner);
      }
      r = runner.run();
      BatchResult result = evaluated(r, logits, offset);
      if (evalCarry != null) {
        evalCarry.keep(r, SCORES + 1);
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
    if (trainCarry != null) {
      trainCarry.reset();
      evalCarry.reset();
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
    return windows != null ? windows.hasMemory() : !evalMemory.isEmpty();
  }

  /**
   * The model's memory on {@code batch}, through the evaluation path (no dropout; deterministic
   * unless the run evaluates stochastically): see {@link Model.Forward#memory()}.
   */
  public Map<String, Array> memory(Batch batch, long[] evalSeed) {
    if (windows != null) {
      return windows.memory(session, batch, evalSeed);
    }
    List<Tensor> owned = new ArrayList<>();
    List<String> names = new ArrayList<>(new TreeSet<>(evalMemory.keySet()));
    try (TInt64 st = TInt64.vectorOf(evalSeed)) {
      Session.Runner runner = feed(session.runner(), batch, owned).feed(seed, st);
      names.forEach(n -> runner.fetch(evalMemory.get(n)));
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

  /** Feeds the inputs and targets of {@code batch}; the tensors it creates go to {@code owned}. */
  private Session.Runner feed(Session.Runner runner, Batch batch, List<Tensor> owned) {
    int n = batch.size();
    for (int i = 0; i < inputs.size(); i++) {
      Tensor t = Inputs.tensor(inputs.get(i), batch, i);
      owned.add(t);
      runner.feed(placeholders.get(i), t);
    }
    return runner.feed(y, targets(batch, owned));
  }

  /**
   * Sets model weights by name (e.g. imported from Keras). Every trainable parameter must be given,
   * with exactly its number of values (row-major); unknown names are errors.
   */
  public void setWeights(Map<String, float[]> weights) {
    WeightAssignment.assign(graph, session, params.trainable(), weights);
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
      if (trainCarry != null) {
        trainCarry.close();
        evalCarry.close();
      }
      session.close();
    } finally {
      graph.close();
    }
  }
}
