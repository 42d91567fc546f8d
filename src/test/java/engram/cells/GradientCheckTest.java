package engram.cells;

import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.models.Rnn;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Shapes;
import engram.testing.Feeds;
import engram.testing.FiniteDifferences;
import engram.testing.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;

/**
 * Gradients of every statically unrolled cell, as TensorFlow's C++ registry builds them, against
 * float64 central finite differences, on tiny configurations. The loss {@code L = sum_t <y_t, R_t>}
 * (R fixed, random) reaches every step, so the check covers backpropagation through time, and for
 * the ENN through the Hebbian trace, its batch mean and clip.
 */
class GradientCheckTest {

  static final int B = 2, T = 3, D = 3, H = 4, M = 3;
  static final double STEP = 1e-6;
  static final double TOLERANCE = 1e-6;

  /** Max over parameters of max|analytic - numeric| / max|numeric|. */
  static double check(
      Function<ParamSet<TFloat64>, RecurrentCell<TFloat64>> make, NoiseSource noise, long seed) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamSet<TFloat64> params = ParamSet.create(tf, TFloat64.class, seed);
      RecurrentCell<TFloat64> cell = make.apply(params);
      Placeholder<TFloat64> x =
          tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(B, T, D)));
      State<TFloat64> init = cell.initialState(tf, Shapes.batchSize(tf, x), noise);
      Rnn.Sequence<TFloat64> seq = Rnn.unroll(tf, cell, x, T, init, noise);
      Operand<TFloat64> r =
          tf.constant(
              Shape.of(B, T, cell.outputSize()),
              org.tensorflow.ndarray.buffer.DataBuffers.of(
                  Tensors.uniform(seed + 99, B * T * cell.outputSize(), 1.0), true, false));
      Operand<TFloat64> loss =
          tf.sum(tf.math.mul(seq.stacked(tf), r), tf.constant(new int[] {0, 1, 2}));

      List<Param<TFloat64>> ps = params.trainable();
      Output<?>[] xs = ps.stream().map(p -> p.value().asOutput()).toArray(Output<?>[]::new);
      Output<?>[] grads = g.addGradients(loss.asOutput(), xs);

      Map<Param<TFloat64>, double[]> base = new HashMap<>();
      long k = 0;
      for (Param<TFloat64> p : ps) {
        double scale = p.name().endsWith("gamma") ? 0.2 : 0.6;
        double[] v = Tensors.uniform(seed + (++k), (int) p.size(), scale);
        if (p.name().endsWith("gamma")) {
          for (int i = 0; i < v.length; i++) v[i] += 1.0;
        }
        base.put(p, v);
      }
      double[] xv = Tensors.uniform(seed + 1000, B * T * D, 1.0);

      try (Session s = new Session(g)) {
        Feeds feeds = feeds(x, xv, base);
        List<Operand<?>> fetches = new ArrayList<>();
        for (Output<?> gr : grads) fetches.add(gr);
        double[][] analytic = feeds.run(s, fetches);
        double worst = 0;
        for (int pi = 0; pi < ps.size(); pi++) {
          Param<TFloat64> p = ps.get(pi);
          double[] numeric =
              FiniteDifferences.gradient(
                  base, p, STEP, v -> feeds(x, xv, v).run(s, List.of(loss))[0][0]);
          double err = Tensors.relativeError(analytic[pi], numeric);
          assertTrue(err <= TOLERANCE, p.name() + ": relative gradient error " + err);
          worst = Math.max(worst, err);
        }
        return worst;
      }
    }
  }

  private static Feeds feeds(
      Placeholder<TFloat64> x, double[] xv, Map<Param<TFloat64>, double[]> values) {
    Feeds f = new Feeds().put(x, xv);
    values.forEach((p, v) -> f.put(p.value(), v));
    return f;
  }

  /** Fixed, small draws for the ENN's initial state and per-step noise. */
  static NoiseSource fixedNoise() {
    Map<String, double[]> draws = new HashMap<>();
    draws.put("h0", Tensors.uniform(501, B * H, 0.01));
    draws.put("trace0", Tensors.uniform(502, M * H, 0.01));
    for (int t = 0; t < T; t++) {
      draws.put(String.format("noise/t%02d", t), Tensors.uniform(510 + t, M * H, 0.003));
    }
    return new InjectedNoise(draws);
  }

  @Test
  void engramCell() {
    check(
        p ->
            new EngramCell<>(
                p.child("engram_cell"), D, H, EngramCellConfig.defaults().withMemorySize(M)),
        fixedNoise(),
        11);
  }

  @Test
  void engramCellWithoutLayerNormAndStrongHebbianRate() {
    EngramCellConfig c = new EngramCellConfig(M, 0.5, 0.8, 1.0, false, 0.3);
    check(p -> new EngramCell<>(p.child("engram_cell"), D, H, c), fixedNoise(), 12);
  }

  /** As {@link #fixedNoise()}, with an initial trace per example. */
  static NoiseSource fixedPerExampleNoise() {
    Map<String, double[]> draws = new HashMap<>();
    draws.put("h0", Tensors.uniform(601, B * H, 0.01));
    draws.put("trace0", Tensors.uniform(602, B * M * H, 0.01));
    for (int t = 0; t < T; t++) {
      draws.put(String.format("noise/t%02d", t), Tensors.uniform(610 + t, M * H, 0.003));
    }
    return new InjectedNoise(draws);
  }

  @Test
  void engramCellWithATracePerExample() {
    EngramCellConfig c =
        new EngramCellConfig(M, 0.5, 0.8, 1.0, true, 0.3)
            .withPaperOptions("example", false, "none", 0);
    check(p -> new EngramCell<>(p.child("engram_cell"), D, H, c), fixedPerExampleNoise(), 16);
  }

  @Test
  void engramCellWithTopKRetrieval() {
    // k = ceil(3 * 0.5) = 2 of 3 slots: one weight per row is exactly zero, the rest
    // differentiable.
    EngramCellConfig c =
        new EngramCellConfig(M, 0.5, 0.8, 1.0, true, 0.5)
            .withPaperOptions("shared", true, "none", 0);
    assertTrue(c.keptSlots() == 2);
    check(p -> new EngramCell<>(p.child("engram_cell"), D, H, c), fixedNoise(), 17);
  }

  @Test
  void engramCellWithTopKAndATracePerExample() {
    EngramCellConfig c =
        new EngramCellConfig(M, 0.5, 0.8, 1.0, false, 0.5)
            .withPaperOptions("example", true, "none", 0);
    check(p -> new EngramCell<>(p.child("engram_cell"), D, H, c), fixedPerExampleNoise(), 18);
  }

  @Test
  void simpleRnnCell() {
    check(p -> new SimpleRnnCell<>(p.child("rnn"), D, H), NoiseSource.zeros(), 13);
  }

  @Test
  void gruCell() {
    check(p -> new GruCell<>(p.child("gru"), D, H), NoiseSource.zeros(), 14);
  }

  @Test
  void lstmCell() {
    check(p -> new LstmCell<>(p.child("lstm"), D, H), NoiseSource.zeros(), 15);
  }
}
