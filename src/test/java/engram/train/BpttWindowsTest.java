package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.cells.EngramCellConfig;
import engram.cells.NoiseSource;
import engram.models.ModelConfig;
import engram.models.ModelType;
import engram.models.SequenceModel;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.SeedStream;
import engram.testing.Feeds;
import engram.testing.FiniteDifferences;
import engram.testing.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * Windowed back-propagation against float64 central finite differences of the same objective: the
 * exact mode must give the whole sequence's gradient, the truncated mode the gradient with the
 * carry into the last window held fixed.
 */
class BpttWindowsTest {

  static final int B = 2, T = 7, D = 3, C = 3, K = 3;
  static final double STEP = 1e-6;

  /** A small float64 model, its windows, and an objective sum(logits * R). */
  record Setup(
      Graph graph,
      List<Param<TFloat64>> params,
      BpttWindows<TFloat64> windows,
      Operand<TFloat64> objective,
      Placeholder<TInt64> seed) {}

  static Setup build(Graph g, ModelConfig config, boolean batched) {
    Ops tf = Ops.create(g);
    ParamSet<TFloat64> params = ParamSet.create(tf, TFloat64.class, 7);
    SequenceModel<TFloat64> model = new SequenceModel<>(params, config, T, D, C);
    Placeholder<TInt64> seed = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    BpttWindows<TFloat64> windows = windows(tf, model, seed, K);
    Operand<TFloat64> r = tf.constant(Shape.of(B, C), doubles(Tensors.uniform(77, B * C, 1.0)));
    Operand<TFloat64> objective =
        tf.sum(tf.math.mul(windows.logits(), r), tf.constant(new int[] {0, 1}));
    windows.differentiate(objective, params.trainable(), batched);
    return new Setup(g, params.trainable(), windows, objective, seed);
  }

  /** Windows of k steps over {@code model}, evaluation mode, without random draws. */
  static BpttWindows<TFloat64> windows(
      Ops tf, SequenceModel<TFloat64> model, Placeholder<TInt64> seed, int k) {
    return new BpttWindows<>(
        tf, model, TFloat64.class, D, k, false, NoiseSource.zeros(), new SeedStream(seed), seed);
  }

  static org.tensorflow.ndarray.buffer.DoubleDataBuffer doubles(double[] v) {
    return org.tensorflow.ndarray.buffer.DataBuffers.of(v, true, false);
  }

  /** Window w of {@code x [B, T, D]}. */
  static TFloat64 slice(double[] x, int from, int len) {
    double[] out = new double[B * len * D];
    for (int b = 0; b < B; b++) {
      System.arraycopy(x, (b * T + from) * D, out, b * len * D, len * D);
    }
    return Tensors.f64(out, B, len, D);
  }

  static List<Tensor> windowsOf(BpttWindows<TFloat64> w, double[] x, List<Tensor> owned) {
    List<Tensor> xs = new ArrayList<>();
    for (int i = 0; i < w.count(); i++) {
      TFloat64 t = slice(x, w.start(i), w.length(i));
      owned.add(t);
      xs.add(t);
    }
    return xs;
  }

  static Map<Param<TFloat64>, double[]> values(List<Param<TFloat64>> ps) {
    Map<Param<TFloat64>, double[]> v = new HashMap<>();
    long k = 0;
    for (Param<TFloat64> p : ps) {
      double[] a = Tensors.uniform(300 + (++k), (int) p.size(), 0.5);
      if (p.name().endsWith("gamma")) {
        for (int i = 0; i < a.length; i++) a[i] += 1.0;
      }
      v.put(p, a);
    }
    return v;
  }

  static Feeds feeds(Map<Param<TFloat64>, double[]> values) {
    Feeds f = new Feeds();
    values.forEach((p, v) -> f.put(p.value(), v));
    return f;
  }

  /** The objective through all windows, forward only. */
  static double objective(Session s, Setup su, List<Tensor> xs, Feeds f) {
    List<Tensor> owned = new ArrayList<>();
    try (BpttWindows.Pass pass =
        su.windows()
            .run(
                s,
                xs,
                new long[] {1, 0},
                r -> f.apply(r, owned),
                List.of(su.objective()),
                false,
                false,
                null)) {
      return Tensors.read(pass.last().get(0))[0];
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  static double check(ModelConfig config, boolean truncate, boolean batched) {
    try (Graph g = new Graph()) {
      Setup su = build(g, config, batched);
      assertEquals(3, su.windows().count());
      assertEquals(1, su.windows().length(2));
      double[] x = Tensors.uniform(900, B * T * D, 1.0);
      Map<Param<TFloat64>, double[]> base = values(su.params());
      List<Tensor> owned = new ArrayList<>();
      try (Session s = new Session(g)) {
        List<Tensor> xs = windowsOf(su.windows(), x, owned);
        List<double[]> analytic = new ArrayList<>();
        List<Tensor> feedTensors = new ArrayList<>();
        try (BpttWindows.Pass pass =
            su.windows()
                .run(
                    s,
                    xs,
                    new long[] {1, 0},
                    r -> feeds(base).apply(r, feedTensors),
                    List.of(),
                    true,
                    truncate,
                    null)) {
          pass.gradients().forEach(t -> analytic.add(Tensors.read(t)));
        } finally {
          feedTensors.forEach(Tensor::close);
        }

        // Truncated: the carry into the last window is computed once, at the base values, and
        // held fixed while the weights move.
        List<Tensor> fixed = truncate ? lastCarry(s, su, xs, base, owned) : null;
        double worst = 0;
        for (int pi = 0; pi < su.params().size(); pi++) {
          Param<TFloat64> p = su.params().get(pi);
          double[] numeric =
              FiniteDifferences.gradient(base, p, STEP, v -> value(s, su, xs, v, fixed));
          double err = Tensors.relativeError(analytic.get(pi), numeric);
          assertTrue(err <= 1e-6, p.name() + ": relative gradient error " + err);
          worst = Math.max(worst, err);
        }
        return worst;
      } finally {
        owned.forEach(Tensor::close);
      }
    }
  }

  private static double value(
      Session s,
      Setup su,
      List<Tensor> xs,
      Map<Param<TFloat64>, double[]> values,
      List<Tensor> fixedCarry) {
    if (fixedCarry == null) {
      return objective(s, su, xs, feeds(values));
    }
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = feeds(values).apply(s.runner(), owned);
      su.windows().feedLast(r, xs.get(xs.size() - 1), fixedCarry);
      try (TInt64 seed = TInt64.vectorOf(1 + 2 * BpttWindows.SEED_STRIDE, 0);
          org.tensorflow.Result out = r.feed(su.seed(), seed).fetch(su.objective()).run()) {
        return Tensors.read(out.get(0))[0];
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** The carry entering the last window at the base values (copied out of the run). */
  private static List<Tensor> lastCarry(
      Session s,
      Setup su,
      List<Tensor> xs,
      Map<Param<TFloat64>, double[]> base,
      List<Tensor> keep) {
    List<Tensor> feedTensors = new ArrayList<>();
    try (BpttWindows.Pass pass = new BpttWindows.Pass()) {
      List<Tensor> carry =
          su.windows()
              .carry(s, xs, new long[] {1, 0}, r -> feeds(base).apply(r, feedTensors), pass);
      List<Tensor> out = new ArrayList<>();
      for (Tensor t : carry) {
        TFloat64 copy = Tensors.f64(Tensors.read(t), t.shape().asArray());
        keep.add(copy);
        out.add(copy);
      }
      return out;
    } finally {
      feedTensors.forEach(Tensor::close);
    }
  }

  static ModelConfig enn() {
    return new ModelConfig(
        ModelType.ENN, List.of(4), 0, EngramCellConfig.defaults().withMemorySize(3), null);
  }

  // batched: a weight's per-step gradients as one product (GPUs), else TensorFlow's own (CPUs)
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void exactWindowsGiveTheWholeSequenceGradient(boolean batched) {
    check(enn(), false, batched);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void stackedLstmWindowsGiveTheWholeSequenceGradient(boolean batched) {
    check(new ModelConfig(ModelType.LSTM, List.of(4, 3), 0, null, null), false, batched);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void truncatedWindowsHoldTheCarryFixed(boolean batched) {
    check(enn(), true, batched);
  }

  @Test
  void windowMustBeShorterThanTheSequence() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamSet<TFloat64> params = ParamSet.create(tf, TFloat64.class, 7);
      SequenceModel<TFloat64> model = new SequenceModel<>(params, enn(), T, D, C);
      Placeholder<TInt64> seed = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> windows(tf, model, seed, T));
      assertTrue(e.getMessage().contains("between 1 and T - 1 = 6"), e.getMessage());
    }
  }
}
