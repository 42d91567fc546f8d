package engram.train;

import engram.cells.NoiseSource;
import engram.data.Batch;
import engram.data.Feature;
import engram.models.SequenceModel;
import engram.nn.Param;
import engram.ops.Scalars;
import engram.ops.SeedStream;
import engram.tasks.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * The training and evaluation paths of a {@link TrainingGraph} that back-propagates in windows
 * ({@link BpttWindows}): a step runs the windows, which return the whole sequence's summed
 * gradients, then feeds them to the Adam update, which runs alone (no model op in it, so nothing
 * needs gating).
 */
final class WindowedSteps<T extends TFloating> {

  private final Class<T> type;
  private final Operand<T> learningRate;
  private final BpttWindows<T> train;
  private final BpttWindows<T> eval;
  private final List<Placeholder<T>> gradientFeeds = new ArrayList<>();
  private final Op update;
  private final Task.Scores<T> trainScores;
  private final Task.Scores<T> evalScores;
  private final Operand<T> evalLogits;
  private final List<Operand<T>> evalFetches; // the scores' sums, then the logits
  private final boolean truncate;
  private final int[] shape; // [T, D] of the sequence input

  WindowedSteps(
      Ops tf,
      SequenceModel<T> model,
      Task task,
      Operand<?> y,
      Feature input,
      Bptt bptt,
      Placeholder<TInt64> seed,
      boolean deterministicEval,
      List<Param<T>> trainable,
      Adam<T> adam,
      Operand<T> learningRate,
      boolean batchedWeightGradients) {
    this.type = learningRate.type();
    this.learningRate = learningRate;
    this.truncate = bptt.truncate();
    this.shape = input.shape();
    int features = shape[shape.length - 1];
    Ops t = tf.withSubScope("train");
    SeedStream seeds = new SeedStream(seed);
    train =
        new BpttWindows<>(
            t, model, type, features, bptt.window(), true, NoiseSource.seeded(seeds), seeds, seed);
    trainScores = task.score(t, train.logits(), y);
    train.differentiate(
        TrainingPaths.objective(t, model, trainScores.objective()),
        trainable,
        batchedWeightGradients);
    Ops apply = tf.withSubScope("apply");
    for (Param<T> p : trainable) {
      gradientFeeds.add(
          apply.withName("gradient").placeholder(type, Placeholder.shape(Shape.of(p.shape()))));
    }
    update = adam.update(apply, gradientFeeds, learningRate);

    Ops e = tf.withSubScope("eval");
    SeedStream evalSeeds = new SeedStream(seed);
    NoiseSource evalNoise = deterministicEval ? NoiseSource.zeros() : NoiseSource.seeded(evalSeeds);
    eval =
        new BpttWindows<>(
            e, model, type, features, bptt.window(), false, evalNoise, evalSeeds, seed);
    evalLogits = e.withName("logits").identity(eval.logits());
    evalScores = task.score(e, evalLogits, y);
    evalFetches = new ArrayList<>(evalScores.fetches(false));
    evalFetches.add(evalLogits);
  }

  Task.Scores<T> trainScores() {
    return trainScores;
  }

  Task.Scores<T> evalScores() {
    return evalScores;
  }

  Operand<T> evalLogits() {
    return evalLogits;
  }

  /**
   * One training step: the windows' forward and backward runs, then Adam on the summed gradients.
   * The result's fetches start with the training scores; with {@code options}, the metadata is the
   * last window's run.
   */
  BpttWindows.Pass trainStep(
      Session session,
      Batch batch,
      float lr,
      long[] stepSeed,
      Operand<?> y,
      Tensor targets,
      RunOptions options) {
    List<Tensor> owned = new ArrayList<>();
    try (TFloating lrt = Scalars.tensor(lr, type)) {
      BpttWindows.Pass pass =
          train.run(
              session,
              inputs(train, batch, owned),
              stepSeed,
              r -> r.feed(y, targets),
              trainScores.fetches(true),
              true,
              truncate,
              options);
      try {
        Session.Runner apply = session.runner().feed(learningRate, lrt).addTarget(update);
        for (int i = 0; i < gradientFeeds.size(); i++) {
          apply.feed(gradientFeeds.get(i), pass.gradients().get(i));
        }
        try (Result r = apply.run()) {
          // the update only
        }
        return pass;
      } catch (RuntimeException e) {
        pass.close();
        throw e;
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** Evaluates {@code batch}: fetches the evaluation scores and logits, in that order. */
  BpttWindows.Pass evaluate(
      Session session, Batch batch, long[] evalSeed, Operand<?> y, Tensor targets) {
    List<Tensor> owned = new ArrayList<>();
    try {
      return eval.run(
          session,
          inputs(eval, batch, owned),
          evalSeed,
          r -> r.feed(y, targets),
          evalFetches,
          false,
          false,
          null);
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  boolean hasMemory() {
    return eval.hasMemory();
  }

  /** The model's memory over the whole sequence, the windows' parts joined along time. */
  Map<String, TrainingGraph.Array> memory(Session session, Batch batch, long[] evalSeed) {
    List<Tensor> owned = new ArrayList<>();
    try (BpttWindows.Pass pass = new BpttWindows.Pass()) {
      Map<String, List<Tensor>> parts =
          eval.memory(session, inputs(eval, batch, owned), evalSeed, r -> {}, pass);
      Map<String, TrainingGraph.Array> out = new LinkedHashMap<>();
      for (String name : new TreeSet<>(parts.keySet())) {
        out.put(name, joined(parts.get(name)));
      }
      return out;
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** The batch's sequence input cut into the windows of {@code w}: {@code [n, length, D]} each. */
  private List<Tensor> inputs(BpttWindows<T> w, Batch batch, List<Tensor> owned) {
    int n = batch.size();
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
      Tensor t = windowTensor(Shape.of(n, len, d), part);
      owned.add(t);
      out.add(t);
    }
    return out;
  }

  /** A window of inputs in the graph's type (its placeholders are {@code T}). */
  private Tensor windowTensor(Shape shape, float[] values) {
    if (type == TFloat64.class) {
      double[] wide = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        wide[i] = values[i];
      }
      return TFloat64.tensorOf(shape, DataBuffers.of(wide, true, false));
    }
    return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
  }

  /** Per-window tensors joined along their first (time) axis. */
  private static TrainingGraph.Array joined(List<Tensor> parts) {
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
      float[] v = TrainingGraph.Array.of(t).values();
      System.arraycopy(v, 0, values, at, v.length);
      at += v.length;
    }
    return new TrainingGraph.Array(values, shape);
  }
}
