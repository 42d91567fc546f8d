package engram.train;

import engram.cells.NoiseSource;
import engram.data.Batch;
import engram.data.Feature;
import engram.models.Classifier;
import engram.models.Classifiers;
import engram.models.ModelConfig;
import engram.models.SequenceClassifier;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Losses;
import engram.ops.SeedStream;
import engram.ops.SharedWeightGradients;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The graph and session of one training run: a {@link Classifier}, its loss, gradients and Adam
 * update, plus an evaluation path that shares the weights. Owns (and closes) its Graph and Session.
 *
 * <p>A training step is one {@code Session.run}: feed the inputs, labels, learning rate and seed;
 * run the update; fetch the batch loss and the number of correct predictions. Dropout and ENN noise
 * are drawn from {@code [seed, global step]}, so a step's randomness is reproducible.
 */
public final class TrainingGraph implements AutoCloseable {

  /** Mean loss and accuracy counts of one batch. */
  public record BatchResult(double loss, long correct, int size) {}

  private final Graph graph;
  private final Session session;
  private final Classifier<TFloat32> model;
  private final ParamSet<TFloat32> params;
  private final List<Feature> inputs;
  private final List<Placeholder<?>> placeholders = new ArrayList<>();
  private final Placeholder<TInt32> y;
  private final Placeholder<TFloat32> learningRate;
  private final Placeholder<TInt64> seed;
  private final Operand<TFloat32> loss;
  private final Operand<TFloat32> correct;
  private final Op trainStep;
  private final Operand<TFloat32> evalLossSum;
  private final Operand<TFloat32> evalCorrect;
  private final Operand<TFloat32> evalLogits;
  private final Map<String, Operand<TFloat32>> evalMemory;
  // Windowed BPTT (null when the whole sequence is one graph): the windows, and the update that
  // takes the gradients they add up.
  private final Bptt bptt;
  private final BpttWindows<TFloat32> trainWindows;
  private final BpttWindows<TFloat32> evalWindows;
  private final List<Placeholder<TFloat32>> gradientFeeds = new ArrayList<>();

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
   * Builds the graph for {@code modelConfig} over examples made of {@code inputs}.
   *
   * @param initSeed seed of the weight initializers
   * @param deterministicEval evaluate without the cells' random draws
   * @param bptt whole-sequence or windowed back-propagation (sequence models only)
   */
  public TrainingGraph(
      ModelConfig modelConfig,
      List<Feature> inputs,
      int numClasses,
      long initSeed,
      double clipnorm,
      boolean deterministicEval,
      Bptt bptt,
      ConfigProto sessionConfig) {
    this.inputs = List.copyOf(inputs);
    this.bptt = bptt;
    this.graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      params = ParamSet.create(tf, TFloat32.class, initSeed);
      model = Classifiers.create(params, modelConfig, Inputs.shapes(inputs), numClasses);
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
      y = in.withName("y").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      learningRate =
          in.withName("learning_rate")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      seed = in.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));

      SequenceClassifier<TFloat32> windowed = windowedModel(model, modelConfig, bptt);
      // Training path: dropout and batch statistics on, noise drawn from the step seed.
      Ops train = tf.withSubScope("train");
      SeedStream seeds = new SeedStream(seed);
      Classifier.Forward<TFloat32> forward = null;
      Operand<TFloat32> logits;
      if (windowed == null) {
        forward = model.forward(train, feeds, true, NoiseSource.seeded(seeds), seeds);
        logits = forward.logits();
        trainWindows = null;
      } else {
        trainWindows =
            new BpttWindows<>(
                train,
                windowed,
                TFloat32.class,
                features(inputs),
                bptt.window(),
                true,
                NoiseSource.seeded(seeds),
                seeds,
                seed);
        logits = trainWindows.logits();
      }
      loss =
          train
              .withName("loss")
              .math
              .mean(Losses.softmaxCrossEntropy(train, logits, y, numClasses), train.constant(0));
      correct = Losses.correctCount(train, logits, y);
      Operand<TFloat32> penalty = model.penalty(train);
      Operand<TFloat32> objective = penalty == null ? loss : train.math.add(loss, penalty);

      if (windowed == null) {
        List<Output<?>> xs = new ArrayList<>();
        trainable.forEach(p -> xs.add(p.value().asOutput()));
        // Weights read once per time step get one batched gradient product (see there).
        Output<?>[] grads = SharedWeightGradients.of(graph, "gradients", objective, xs).gradients();
        List<Operand<TFloat32>> gradients = new ArrayList<>();
        List<Operation> gate = new ArrayList<>(List.of(loss.op(), correct.op(), objective.op()));
        for (int i = 0; i < grads.length; i++) {
          if (grads[i] == null || grads[i].isClosed()) {
            throw new IllegalStateException(
                "parameter " + trainable.get(i).name() + " does not influence the loss");
          }
          @SuppressWarnings("unchecked")
          Output<TFloat32> g = (Output<TFloat32>) grads[i];
          gradients.add(g);
          gate.add(g.op());
        }
        Op update = adam.update(tf.withControlDependencyOps(gate), gradients, learningRate);
        List<Op> stepOps = new ArrayList<>(forward.updates());
        stepOps.add(update);
        trainStep = tf.withControlDependencies(stepOps).withName("step").noOp();
      } else {
        trainWindows.differentiate(objective, trainable);
        // The windows' gradients come back summed and are fed to the update: no model op runs
        // in that step, so nothing needs gating.
        Ops apply = tf.withSubScope("apply");
        for (Param<TFloat32> p : trainable) {
          gradientFeeds.add(
              apply
                  .withName("gradient")
                  .placeholder(TFloat32.class, Placeholder.shape(Shape.of(p.shape()))));
        }
        trainStep = adam.update(apply, gradientFeeds, learningRate);
      }

      // Evaluation path: same weights, no dropout, deterministic or freshly drawn noise.
      Ops eval = tf.withSubScope("eval");
      SeedStream evalSeeds = new SeedStream(seed);
      NoiseSource evalNoise =
          deterministicEval ? NoiseSource.zeros() : NoiseSource.seeded(evalSeeds);
      if (windowed == null) {
        Classifier.Forward<TFloat32> evalForward =
            model.forward(eval, feeds, false, evalNoise, evalSeeds);
        evalLogits = eval.withName("logits").identity(evalForward.logits());
        evalMemory = evalForward.memory();
        evalWindows = null;
      } else {
        evalWindows =
            new BpttWindows<>(
                eval,
                windowed,
                TFloat32.class,
                features(inputs),
                bptt.window(),
                false,
                evalNoise,
                evalSeeds,
                seed);
        evalLogits = eval.withName("logits").identity(evalWindows.logits());
        evalMemory = Map.of();
      }
      evalLossSum =
          eval.withName("loss_sum")
              .sum(Losses.softmaxCrossEntropy(eval, evalLogits, y, numClasses), eval.constant(0));
      evalCorrect = Losses.correctCount(eval, evalLogits, y);

      session = sessionConfig == null ? new Session(graph) : new Session(graph, sessionConfig);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** The sequence model to run in windows, or null for one whole-sequence graph. */
  private static SequenceClassifier<TFloat32> windowedModel(
      Classifier<TFloat32> model, ModelConfig config, Bptt bptt) {
    if (bptt.window() == 0) {
      return null;
    }
    if (!(model instanceof SequenceClassifier<TFloat32> sequence)) {
      throw new IllegalArgumentException(
          "train.bpttWindow applies to the sequence models (enn, lstm, gru, rnn), not "
              + config.type()
              + "; set it to 0");
    }
    return bptt.splits(sequence.timeSteps()) ? sequence : null;
  }

  /** D of a sequence input {@code [T, D]}. */
  private static int features(List<Feature> inputs) {
    int[] shape = inputs.get(0).shape();
    return shape[shape.length - 1];
  }

  /** Whether training runs in BPTT windows. */
  public boolean windowed() {
    return trainWindows != null;
  }

  /** The model built in this graph. */
  public Classifier<TFloat32> model() {
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
    if (trainWindows != null) {
      return runWindows(batch, lr, stepSeed, options);
    }
    List<Tensor> owned = new ArrayList<>();
    try (TFloat32 lrt = TFloat32.scalarOf(lr);
        TInt64 st = TInt64.vectorOf(stepSeed)) {
      Session.Runner runner =
          feed(session.runner(), batch, owned)
              .feed(learningRate, lrt)
              .feed(seed, st)
              .addTarget(trainStep)
              .fetch(loss)
              .fetch(correct);
      if (options != null) {
        runner.setOptions(options);
      }
      try (Result r = options == null ? runner.run() : runner.runAndFetchMetadata()) {
        // Fetching the scalars is a host sync point; they are 8 bytes and feed the progress bar.
        return new Step(
            trained(r, batch.size()), options == null ? null : r.getMetadata().orElseThrow());
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** One training step through the BPTT windows, then Adam on the summed gradients. */
  private Step runWindows(Batch batch, float lr, long[] stepSeed, RunOptions options) {
    List<Tensor> owned = new ArrayList<>();
    try (TFloat32 lrt = TFloat32.scalarOf(lr)) {
      TInt32 labels = labels(batch, owned);
      try (BpttWindows.Pass pass =
          trainWindows.run(
              session,
              windowInputs(trainWindows, batch, owned),
              stepSeed,
              r -> r.feed(y, labels),
              List.of(loss, correct),
              true,
              bptt.truncate(),
              options)) {
        Session.Runner apply = session.runner().feed(learningRate, lrt).addTarget(trainStep);
        for (int i = 0; i < gradientFeeds.size(); i++) {
          apply.feed(gradientFeeds.get(i), pass.gradients().get(i));
        }
        try (Result r = apply.run()) {
          // the update only
        }
        return new Step(trained(pass.last(), batch.size()), pass.metadata());
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** Mean loss and correct count of a training run that fetched {@code loss, correct} first. */
  private static BatchResult trained(Result r, int n) {
    return new BatchResult(
        ((TFloat32) r.get(0)).getFloat(), Math.round(((TFloat32) r.get(1)).getFloat()), n);
  }

  /** The batch's sequence input cut into the windows of {@code w}: {@code [n, length, D]} each. */
  private List<Tensor> windowInputs(BpttWindows<TFloat32> w, Batch batch, List<Tensor> owned) {
    int n = batch.size();
    int[] shape = inputs.get(0).shape(); // [T, D]
    int steps = shape[0];
    int d = shape[1];
    float[] x = batch.floats(0);
    List<Tensor> out = new ArrayList<>();
    for (int i = 0; i < w.count(); i++) {
      int from = w.start(i);
      int len = w.length(i);
      float[] part = new float[n * len * d];
      for (int b = 0; b < n; b++) {
        System.arraycopy(x, (b * steps + from) * d, part, b * len * d, len * d);
      }
      TFloat32 t = TFloat32.tensorOf(Shape.of(n, len, d), DataBuffers.of(part, true, false));
      owned.add(t);
      out.add(t);
    }
    return out;
  }

  /**
   * Evaluates {@code batch}: the mean loss and correct count, also copying the logits ({@code n x
   * C}, row-major) into {@code logits} at {@code offset} when {@code logits} is not null.
   */
  public BatchResult evaluate(Batch batch, long[] evalSeed, float[] logits, int offset) {
    List<Tensor> owned = new ArrayList<>();
    if (evalWindows != null) {
      try {
        TInt32 labels = labels(batch, owned);
        try (BpttWindows.Pass pass =
            evalWindows.run(
                session,
                windowInputs(evalWindows, batch, owned),
                evalSeed,
                r -> r.feed(y, labels),
                List.of(evalLossSum, evalCorrect, evalLogits),
                false,
                false,
                null)) {
          return evaluated(pass.last(), batch.size(), logits, offset);
        }
      } finally {
        owned.forEach(Tensor::close);
      }
    }
    try (TInt64 st = TInt64.vectorOf(evalSeed)) {
      Session.Runner runner =
          feed(session.runner(), batch, owned).feed(seed, st).fetch(evalLossSum).fetch(evalCorrect);
      if (logits != null) {
        runner.fetch(evalLogits);
      }
      try (Result r = runner.run()) {
        return evaluated(r, batch.size(), logits, offset);
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** Loss sum, correct count and (when {@code logits} is given) the logits of an evaluation. */
  private static BatchResult evaluated(Result r, int n, float[] logits, int offset) {
    if (logits != null) {
      float[] values = Array.of(r.get(2)).values();
      System.arraycopy(values, 0, logits, offset, values.length);
    }
    double sum = ((TFloat32) r.get(0)).getFloat();
    return new BatchResult(sum / n, Math.round(((TFloat32) r.get(1)).getFloat()), n);
  }

  /** Whether the model exposes its memory (the ENN's trace, H-Mem's associations). */
  public boolean hasMemory() {
    return evalWindows != null ? evalWindows.hasMemory() : !evalMemory.isEmpty();
  }

  /**
   * The model's memory on {@code batch}, through the evaluation path (no dropout; deterministic
   * unless the run evaluates stochastically): see {@link Classifier.Forward#memory()}.
   */
  public Map<String, Array> memory(Batch batch, long[] evalSeed) {
    List<Tensor> owned = new ArrayList<>();
    if (evalWindows != null) {
      try (BpttWindows.Pass pass = new BpttWindows.Pass()) {
        Map<String, List<Tensor>> parts =
            evalWindows.memory(
                session, windowInputs(evalWindows, batch, owned), evalSeed, r -> {}, pass);
        Map<String, Array> out = new LinkedHashMap<>();
        for (String name : new TreeSet<>(parts.keySet())) {
          out.put(name, joined(parts.get(name)));
        }
        return out;
      } finally {
        owned.forEach(Tensor::close);
      }
    }
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

  /** Per-window tensors joined along their first (time) axis. */
  private static Array joined(List<Tensor> parts) {
    long[] shape = parts.get(0).shape().asArray();
    shape[0] = 0;
    int size = 0;
    for (Tensor t : parts) {
      shape[0] += t.shape().get(0);
      size += (int) t.shape().size();
    }
    float[] values = new float[size];
    int at = 0;
    for (Tensor t : parts) {
      float[] v = Array.of(t).values();
      System.arraycopy(v, 0, values, at, v.length);
      at += v.length;
    }
    return new Array(values, shape);
  }

  private TInt32 labels(Batch batch, List<Tensor> owned) {
    int n = batch.size();
    TInt32 labels =
        TInt32.tensorOf(Shape.of(n), DataBuffers.of(batch.labels(), true, false).narrow(n));
    owned.add(labels);
    return labels;
  }

  /** Feeds the inputs and labels of {@code batch}; the tensors it creates go to {@code owned}. */
  private Session.Runner feed(Session.Runner runner, Batch batch, List<Tensor> owned) {
    int n = batch.size();
    for (int i = 0; i < inputs.size(); i++) {
      Tensor t = Inputs.tensor(inputs.get(i), batch, i);
      owned.add(t);
      runner.feed(placeholders.get(i), t);
    }
    return runner.feed(y, labels(batch, owned));
  }

  /**
   * Sets model weights by name (e.g. imported from Keras). Every trainable parameter must be given,
   * with exactly its number of values (row-major); unknown names are errors.
   */
  public void setWeights(Map<String, float[]> weights) {
    Set<String> unknown = new TreeSet<>(weights.keySet());
    List<Param<TFloat32>> targets = params.trainable();
    targets.forEach(p -> unknown.remove(p.name()));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("no parameters named " + unknown + " in this model");
    }
    Ops tf = Ops.create(graph).withSubScope("set_weights");
    Session.Runner runner = session.runner();
    List<TFloat32> owned = new ArrayList<>();
    try {
      for (Param<TFloat32> p : targets) {
        float[] v = weights.get(p.name());
        if (v == null || v.length != p.size()) {
          throw new IllegalArgumentException(
              p.name()
                  + ": expected "
                  + p.size()
                  + " values for shape "
                  + Arrays.toString(p.shape())
                  + ", got "
                  + (v == null ? "none" : v.length));
        }
        Placeholder<TFloat32> value =
            tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(p.shape())));
        TFloat32 t = TFloat32.tensorOf(Shape.of(p.shape()), DataBuffers.of(v, true, false));
        owned.add(t);
        runner.feed(value, t).addTarget(tf.assign(p.variable(), value));
      }
      try (Result r = runner.run()) {
        // assignments only
      }
    } finally {
      owned.forEach(TFloat32::close);
    }
  }

  /** Writes every variable (weights and optimizer slots) to {@code prefix.index/.data-*}. */
  public void save(String prefix) {
    session.save(prefix);
  }

  /** Restores every variable from {@code prefix}; the initializers are then not run. */
  public void restore(String prefix) {
    session.restore(prefix);
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
