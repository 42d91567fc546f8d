package engram.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.cells.HMemRecallCell;
import engram.cells.HMemStoreCell;
import engram.cells.NoiseSource;
import engram.cells.State;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.SeedStream;
import engram.testing.Feeds;
import engram.testing.FiniteDifferences;
import engram.testing.Mat;
import engram.testing.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * H-Mem against plain-Java float64 transcriptions of the released code (hmem.md §2.3, §8.6): the
 * Hebbian write in its original form {@code M += g+ (w - M) k v - g- M k^2}, the recurrent recall,
 * the whole forward pass with training-mode BatchNorm, and float64 finite-difference gradients.
 */
class HMemTest {

  static void assertClose(double[] actual, double[] expected, double tol, String what) {
    double err = Tensors.relativeError(actual, expected);
    assertTrue(err <= tol, what + ": relative error " + err + " > " + tol);
  }

  /** Original-form Hebbian writes over the steps of k, v [S][B*m]. */
  static double[] referenceStore(
      double[][] k, double[][] v, int b, int m, double gp, double gn, double wMax) {
    double[] mem = new double[b * m * m];
    for (int t = 0; t < k.length; t++) {
      for (int n = 0; n < b; n++) {
        for (int i = 0; i < m; i++) {
          double ki = k[t][n * m + i];
          for (int j = 0; j < m; j++) {
            int at = (n * m + i) * m + j;
            double old = mem[at];
            mem[at] = old + gp * (wMax - old) * ki * v[t][n * m + j] - gn * old * ki * ki;
          }
        }
      }
    }
    return mem;
  }

  @Test
  void storeWritesTheReleasedHebbianRule() {
    int b = 2, m = 3, s = 4;
    double[][] k = new double[s][], v = new double[s][];
    for (int t = 0; t < s; t++) {
      k[t] = Tensors.uniform(10 + t, b * m, 1.5);
      v[t] = Tensors.uniform(20 + t, b * m, 1.5);
      for (int i = 0; i < b * m; i++) {
        k[t][i] = Math.abs(k[t][i]); // ReLU outputs
        v[t][i] = Math.abs(v[t][i]);
      }
    }
    java.util.Arrays.fill(k[s - 1], 0); // a padded statement writes nothing
    java.util.Arrays.fill(v[s - 1], 0);
    for (double[] g : new double[][] {{0.01, 0.01, 1.0}, {0.3, 0.2, 1.5}}) {
      try (Graph graph = new Graph();
          Session session = new Session(graph)) {
        Ops tf = Ops.create(graph);
        HMemStoreCell<TFloat64> cell = new HMemStoreCell<>(m, g[0], g[1], g[2], TFloat64.class);
        List<Operand<TFloat64>> steps = new ArrayList<>();
        for (int t = 0; t < s; t++) {
          double[] kv = new double[b * 2 * m];
          for (int n = 0; n < b; n++) {
            System.arraycopy(k[t], n * m, kv, n * 2 * m, m);
            System.arraycopy(v[t], n * m, kv, n * 2 * m + m, m);
          }
          steps.add(tf.reshape(tf.constant(kv), tf.constant(new int[] {b, 2 * m})));
        }
        State<TFloat64> init =
            cell.initialState(tf, tf.constant(new int[] {b}), NoiseSource.zeros());
        Operand<TFloat64> memory =
            cell.memory(tf, Rnn.unroll(tf, cell, steps, init, NoiseSource.zeros()).finalState());
        double[] actual = new Feeds().run(session, List.of(memory))[0];
        assertClose(
            actual,
            referenceStore(k, v, b, m, g[0], g[1], g[2]),
            1e-14,
            "store " + java.util.Arrays.toString(g));
      }
    }
  }

  @Test
  void recallQueriesRecurrently() {
    int b = 2, d = 3, m = 4, hops = 3;
    double[] q = Tensors.uniform(1, b * d, 1.0);
    double[] mem = Tensors.uniform(2, b * m * m, 1.0);
    double[] wr = Tensors.uniform(3, (d + m) * m, 0.8);
    // reference: k = relu([q | v] Wr); v_j = sum_i k_i M_ij
    double[] vr = new double[b * m];
    for (int n = 0; n < hops; n++) {
      double[] key = Mat.relu(Mat.matmul(Mat.concatColumns(b, q, vr), wr, b, d + m, m));
      double[] next = new double[b * m];
      for (int x = 0; x < b; x++) {
        for (int j = 0; j < m; j++) {
          for (int i = 0; i < m; i++) {
            next[x * m + j] += key[x * m + i] * mem[(x * m + i) * m + j];
          }
        }
      }
      vr = next;
    }
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      ParamSet<TFloat64> params = ParamSet.create(tf, TFloat64.class, 0);
      HMemRecallCell<TFloat64> cell = new HMemRecallCell<>(params, d, m);
      Operand<TFloat64> qt = tf.reshape(tf.constant(q), tf.constant(new int[] {b, d}));
      Operand<TFloat64> mt = tf.reshape(tf.constant(mem), tf.constant(new int[] {b, m, m}));
      Operand<TFloat64> v = tf.zeros(tf.constant(new int[] {b, m}), TFloat64.class);
      for (int n = 0; n < hops; n++) {
        v = cell.step(tf, qt, v, mt);
      }
      double[] actual = new Feeds().put(cell.kernel().value(), wr).run(session, List.of(v))[0];
      assertClose(actual, vr, 1e-14, "recall");
    }
  }

  // ---- the whole model, tiny: V 10, S 3, W 4, d 4, m 3, B 2 ----

  static final int B = 2, S = 3, W = 4, V = 10, D = 4, M = 3;
  // Word ids; 0 = nil. Story 1 has two statements (time words 8, 7 in the last slot), story 2
  // three.
  static final int[] STORY = {
    1, 2, 0, 8, 3, 4, 5, 7, 0, 0, 0, 0,
    2, 6, 0, 9, 1, 1, 0, 8, 4, 3, 2, 7
  };
  static final int[] QUERY = {5, 1, 0, 0, 6, 6, 2, 0};

  /**
   * Float64 transcription of the released model's forward pass (hmem.md §8.6), BN in training mode.
   */
  static double[] referenceLogits(Map<String, double[]> w, HMemConfig c, double[] p) {
    double[] e = w.get("embedding");
    double[] s = new double[B * S * D];
    double[] mask = new double[B * S];
    for (int n = 0; n < B; n++) {
      for (int t = 0; t < S; t++) {
        for (int j = 0; j < W; j++) {
          int id = STORY[(n * S + t) * W + j];
          if (id == 0) continue;
          mask[n * S + t] = 1;
          for (int x = 0; x < D; x++) s[(n * S + t) * D + x] += p[j * D + x] * e[id * D + x];
        }
      }
    }
    double[] q = new double[B * D];
    for (int n = 0; n < B; n++) {
      for (int j = 0; j < W; j++) {
        int id = QUERY[n * W + j];
        if (id == 0) continue;
        for (int x = 0; x < D; x++) q[n * D + x] += p[j * D + x] * e[id * D + x];
      }
    }
    s = batchNorm(s, B * S, w.get("batch_norm_story/gamma"), w.get("batch_norm_story/beta"));
    q = batchNorm(q, B, w.get("batch_norm_query/gamma"), w.get("batch_norm_query/beta"));
    double[] k = Mat.relu(Mat.matmul(s, w.get("extracting/key_kernel"), B * S, D, M));
    double[] v = Mat.relu(Mat.matmul(s, w.get("extracting/value_kernel"), B * S, D, M));
    double[][] ks = new double[S][B * M], vs = new double[S][B * M];
    for (int n = 0; n < B; n++) {
      for (int t = 0; t < S; t++) {
        for (int i = 0; i < M; i++) {
          ks[t][n * M + i] = mask[n * S + t] * k[(n * S + t) * M + i];
          vs[t][n * M + i] = mask[n * S + t] * v[(n * S + t) * M + i];
        }
      }
    }
    double[] mem = referenceStore(ks, vs, B, M, c.gammaPos(), c.gammaNeg(), c.wMax());
    double[] vr = new double[B * M];
    for (int hop = 0; hop < c.hops(); hop++) {
      double[] key =
          Mat.relu(Mat.matmul(Mat.concatColumns(B, q, vr), w.get("reading/kernel"), B, D + M, M));
      double[] next = new double[B * M];
      for (int n = 0; n < B; n++)
        for (int j = 0; j < M; j++)
          for (int i = 0; i < M; i++) next[n * M + j] += key[n * M + i] * mem[(n * M + i) * M + j];
      vr = next;
    }
    return Mat.matmul(vr, w.get("output"), B, M, V);
  }

  /** Normalises each of the {@code d} columns over {@code rows} rows: biased variance, eps 1e-3. */
  static double[] batchNorm(double[] x, int rows, double[] gamma, double[] beta) {
    return batchNorm(x, rows, D, gamma, beta);
  }

  /** As above for {@code d} columns. */
  static double[] batchNorm(double[] x, int rows, int d, double[] gamma, double[] beta) {
    double[] y = new double[x.length];
    for (int c = 0; c < d; c++) {
      double mean = 0, var = 0;
      for (int r = 0; r < rows; r++) mean += x[r * d + c];
      mean /= rows;
      for (int r = 0; r < rows; r++) var += (x[r * d + c] - mean) * (x[r * d + c] - mean);
      var /= rows;
      for (int r = 0; r < rows; r++) {
        y[r * d + c] = (x[r * d + c] - mean) / Math.sqrt(var + 1e-3) * gamma[c] + beta[c];
      }
    }
    return y;
  }

  record Built(
      Graph graph,
      ParamSet<TFloat64> params,
      Placeholder<TInt32> story,
      Placeholder<TInt32> query,
      Operand<TFloat64> logits,
      Operand<TFloat64> penalty) {}

  static Built build(HMemConfig c) {
    Graph g = new Graph();
    Ops tf = Ops.create(g);
    ParamSet<TFloat64> params = ParamSet.create(tf, TFloat64.class, 3);
    HMemClassifier<TFloat64> model = new HMemClassifier<>(params, c, S, W, V);
    Placeholder<TInt32> story = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, S, W)));
    Placeholder<TInt32> query = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, W)));
    SeedStream seeds = new SeedStream(tf.constant(new long[] {1, 1}));
    Operand<TFloat64> logits =
        model
            .forward(
                tf,
                Map.of(HMemClassifier.STORY, story, HMemClassifier.QUERY, query),
                true,
                NoiseSource.zeros(),
                seeds)
            .outputs();
    return new Built(g, params, story, query, logits, model.penalty(tf));
  }

  static Map<String, double[]> weights(ParamSet<TFloat64> params, long seed) {
    Map<String, double[]> w = new HashMap<>();
    for (Param<TFloat64> p : params.trainable()) {
      double[] v = Tensors.uniform(seed++, (int) p.size(), 0.8);
      if (p.name().endsWith("gamma") || p.name().equals("encoding")) {
        for (int i = 0; i < v.length; i++) v[i] = 1 + 0.3 * v[i];
      }
      if (p.name().startsWith("extracting") || p.name().startsWith("reading")) {
        for (int i = 0; i < v.length; i++) v[i] += 0.3; // mostly active ReLUs
      }
      w.put(p.name(), v);
    }
    return w;
  }

  static double[] run(Built b, Map<String, double[]> w, Operand<?> fetch) {
    try (Session s = new Session(b.graph())) {
      return run(s, b, w, fetch);
    }
  }

  static double[] run(Session s, Built b, Map<String, double[]> w, Operand<?> fetch) {
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = s.runner();
      TInt32 st =
          TInt32.tensorOf(
              Shape.of(B, S, W), org.tensorflow.ndarray.buffer.DataBuffers.of(STORY, true, false));
      TInt32 qt =
          TInt32.tensorOf(
              Shape.of(B, W), org.tensorflow.ndarray.buffer.DataBuffers.of(QUERY, true, false));
      owned.add(st);
      owned.add(qt);
      r.feed(b.story(), st).feed(b.query(), qt);
      for (Param<TFloat64> p : b.params().trainable()) {
        TFloat64 t = Tensors.f64(w.get(p.name()), p.shape());
        owned.add(t);
        r.feed(p.value(), t);
      }
      try (Result res = r.fetch(fetch).run()) {
        return Tensors.read(res.get(0));
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  @Test
  void forwardMatchesTheReleasedModelForEveryEncoding() {
    for (HMemConfig.Encoding enc : HMemConfig.Encoding.values()) {
      HMemConfig c = new HMemConfig(D, M, 2, enc, 0.2, 0.1, 1.0, 1e-3);
      Built b = build(c);
      try {
        Map<String, double[]> w = weights(b.params(), 40);
        double[] p = new double[W * D];
        for (int j = 0; j < W; j++) {
          for (int x = 0; x < D; x++) {
            p[j * D + x] =
                switch (enc) {
                  case BOW -> 1.0;
                  case PE ->
                      j == W - 1
                          ? 1.0
                          : 1 + 4.0 * (x + 1 - (D + 1) / 2.0) * (j + 1 - (W + 1) / 2.0) / D / W;
                  case LE ->
                      j == W - 1 ? 1.0 : w.get("encoding")[j * D + x]; // time-word row held at 1
                };
          }
        }
        assertClose(run(b, w, b.logits()), referenceLogits(w, c, p), 1e-12, "logits " + enc);
      } finally {
        b.graph().close();
      }
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    HMemConfig c = new HMemConfig(D, M, 2, HMemConfig.Encoding.LE, 0.2, 0.1, 1.0, 1e-3);
    Built b = build(c);
    try {
      Ops tf = Ops.create(b.graph());
      Operand<TFloat64> r =
          tf.constant(
              Shape.of(B, V),
              org.tensorflow.ndarray.buffer.DataBuffers.of(
                  Tensors.uniform(77, B * V, 1.0), true, false));
      Operand<TFloat64> loss =
          tf.math.add(
              tf.sum(tf.math.mul(b.logits(), r), tf.constant(new int[] {0, 1})), b.penalty());
      List<Param<TFloat64>> ps = b.params().trainable();
      // Through the trainer's gradient path (SharedWeightGradients; no H-Mem weight qualifies
      // for its batched product, so this is addGradients underneath).
      engram.ops.SharedWeightGradients.Result result =
          engram.ops.SharedWeightGradients.of(
              b.graph(),
              "gradients",
              loss,
              ps.stream().<Output<?>>map(p -> p.value().asOutput()).toList());
      Output<?>[] grads = result.gradients();
      Map<String, double[]> w = weights(b.params(), 60);
      double h = 1e-6;
      try (Session session = new Session(b.graph())) {
        for (int pi = 0; pi < ps.size(); pi++) {
          Param<TFloat64> p = ps.get(pi);
          double[] analytic = run(session, b, w, grads[pi]);
          double[] numeric =
              FiniteDifferences.gradient(w, p.name(), h, v -> run(session, b, v, loss)[0]);
          assertClose(analytic, numeric, 1e-6, "d loss / d " + p.name());
        }
      }
    } finally {
      b.graph().close();
    }
  }
}
