package engram.train;

import engram.cells.NoiseSource;
import engram.models.ModelConfig;
import engram.models.SequenceClassifier;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Losses;
import engram.ops.SeedStream;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The graph and session of one training run: a {@link SequenceClassifier}, its loss, gradients and
 * Adam update, plus an evaluation path that shares the weights. Owns (and closes) its Graph and
 * Session.
 *
 * <p>A training step is one {@code Session.run}: feed x, y, the learning rate and the step seed;
 * run the update; fetch the batch loss and the number of correct predictions. Dropout and ENN noise
 * are drawn from {@code [seed, global step]}, so a step's randomness is reproducible.
 */
public final class TrainingGraph implements AutoCloseable {

  /** Mean loss and accuracy counts of one batch. */
  public record BatchResult(double loss, long correct, int size) {}

  private final Graph graph;
  private final Session session;
  private final SequenceClassifier<TFloat32> model;
  private final ParamSet<TFloat32> params;
  private final int timeSteps;
  private final int features;
  private final Placeholder<TFloat32> x;
  private final Placeholder<TInt32> y;
  private final Placeholder<TFloat32> learningRate;
  private final Placeholder<TInt64> seed;
  private final Operand<TFloat32> loss;
  private final Operand<TFloat32> correct;
  private final Op trainStep;
  private final Operand<TFloat32> evalLossSum;
  private final Operand<TFloat32> evalCorrect;
  private final Operand<TFloat32> evalLogits;

  /**
   * Builds the graph for {@code model} over sequences of {@code timeSteps x features}.
   *
   * @param initSeed seed of the weight initializers
   * @param deterministicEval evaluate without the cells' random draws
   */
  public TrainingGraph(
      ModelConfig modelConfig,
      int timeSteps,
      int features,
      int numClasses,
      long initSeed,
      double clipnorm,
      boolean deterministicEval,
      ConfigProto sessionConfig) {
    this.timeSteps = timeSteps;
    this.features = features;
    this.graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      params = ParamSet.create(tf, TFloat32.class, initSeed);
      model = new SequenceClassifier<>(params, modelConfig, timeSteps, features, numClasses);

      Ops in = tf.withSubScope("input");
      x =
          in.withName("x")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, timeSteps, features)));
      y = in.withName("y").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      learningRate =
          in.withName("learning_rate")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      seed = in.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));

      // Training path: dropout on, noise drawn from the step seed.
      Ops train = tf.withSubScope("train");
      SeedStream seeds = new SeedStream(seed);
      Operand<TFloat32> logits =
          model.forward(train, x, true, NoiseSource.seeded(seeds), seeds).logits();
      loss =
          train
              .withName("loss")
              .math
              .mean(Losses.softmaxCrossEntropy(train, logits, y, numClasses), train.constant(0));
      correct = Losses.correctCount(train, logits, y);

      List<Param<TFloat32>> trainable = params.trainable();
      Output<?>[] xs = new Output<?>[trainable.size()];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = trainable.get(i).value().asOutput();
      }
      Output<?>[] grads =
          graph.addGradients("gradients", new Output<?>[] {loss.asOutput()}, xs, null);
      List<Operand<TFloat32>> gradients = new ArrayList<>();
      List<Operation> gate = new ArrayList<>(List.of(loss.op(), correct.op()));
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
      Adam<TFloat32> adam = new Adam<>(tf, trainable, TFloat32.class, clipnorm);
      trainStep = adam.update(tf.withControlDependencyOps(gate), gradients, learningRate);

      // Evaluation path: same weights, no dropout, deterministic or freshly drawn noise.
      Ops eval = tf.withSubScope("eval");
      SeedStream evalSeeds = new SeedStream(seed);
      NoiseSource evalNoise =
          deterministicEval ? NoiseSource.zeros() : NoiseSource.seeded(evalSeeds);
      evalLogits =
          eval.withName("logits")
              .identity(model.forward(eval, x, false, evalNoise, evalSeeds).logits());
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

  /** The model built in this graph. */
  public SequenceClassifier<TFloat32> model() {
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

  /** Runs one training step on {@code n} examples of {@code xs}/{@code ys}. */
  public BatchResult trainStep(float[] xs, int[] ys, int n, float lr, long[] stepSeed) {
    try (TFloat32 xt = inputs(xs, n);
        TInt32 yt = labels(ys, n);
        TFloat32 lrt = TFloat32.scalarOf(lr);
        TInt64 st = TInt64.vectorOf(stepSeed);
        Result r =
            session
                .runner()
                .feed(x, xt)
                .feed(y, yt)
                .feed(learningRate, lrt)
                .feed(seed, st)
                .addTarget(trainStep)
                .fetch(loss)
                .fetch(correct)
                .run()) {
      // Fetching the scalars is a host sync point; they are 8 bytes and feed the progress bar.
      return new BatchResult(
          ((TFloat32) r.get(0)).getFloat(), Math.round(((TFloat32) r.get(1)).getFloat()), n);
    }
  }

  /** Evaluates {@code n} examples: the mean loss and correct count of the batch. */
  public BatchResult evaluate(float[] xs, int[] ys, int n, long[] evalSeed) {
    return evaluate(xs, ys, n, evalSeed, null, 0);
  }

  /**
   * As {@link #evaluate(float[], int[], int, long[])}, also copying the batch's logits ({@code n x
   * C}, row-major) into {@code logits} at {@code offset} when {@code logits} is not null.
   */
  public BatchResult evaluate(
      float[] xs, int[] ys, int n, long[] evalSeed, float[] logits, int offset) {
    try (TFloat32 xt = inputs(xs, n);
        TInt32 yt = labels(ys, n);
        TInt64 st = TInt64.vectorOf(evalSeed)) {
      Session.Runner runner =
          session
              .runner()
              .feed(x, xt)
              .feed(y, yt)
              .feed(seed, st)
              .fetch(evalLossSum)
              .fetch(evalCorrect);
      if (logits != null) {
        runner.fetch(evalLogits);
      }
      try (Result r = runner.run()) {
        if (logits != null) {
          TFloat32 out = (TFloat32) r.get(2);
          float[] values = new float[(int) out.shape().size()];
          out.asRawTensor().data().asFloats().read(values);
          System.arraycopy(values, 0, logits, offset, values.length);
        }
        double sum = ((TFloat32) r.get(0)).getFloat();
        return new BatchResult(sum / n, Math.round(((TFloat32) r.get(1)).getFloat()), n);
      }
    }
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

  private TFloat32 inputs(float[] xs, int n) {
    int needed = n * timeSteps * features;
    if (xs.length < needed) {
      throw new IllegalArgumentException(
          "input buffer holds " + xs.length + " floats, batch needs " + needed);
    }
    return TFloat32.tensorOf(
        Shape.of(n, timeSteps, features), DataBuffers.of(xs, true, false).narrow(needed));
  }

  private static TInt32 labels(int[] ys, int n) {
    return TInt32.tensorOf(Shape.of(n), DataBuffers.of(ys, true, false).narrow(n));
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
