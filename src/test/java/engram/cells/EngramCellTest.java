package engram.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.models.Rnn;
import engram.nn.ParamSet;
import engram.ops.Shapes;
import engram.testing.Feeds;
import engram.testing.Mat;
import engram.testing.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * EngramCell against a plain-Java float64 transcription of the reference equations (enn.md §2.1),
 * with every random draw injected. Checks z, attention, retrieval, h and the trace at every step.
 */
class EngramCellTest {

  static final int B = 3, D = 5, H = 4, M = 6, T = 3;

  /** Weights, inputs and draws of one test case, by name. */
  static Map<String, double[]> values(long seed, double inputScale) {
    Map<String, double[]> v = new HashMap<>();
    v.put("engram_cell/engram_memory", Tensors.uniform(seed + 1, M * H, 0.5));
    v.put("engram_cell/input_encoder/kernel", Tensors.uniform(seed + 2, D * H, 0.8));
    v.put("engram_cell/input_encoder/bias", Tensors.uniform(seed + 3, H, 0.1));
    v.put("engram_cell/hidden_integrator/kernel", Tensors.uniform(seed + 4, 9 * H * H, 0.4));
    v.put("engram_cell/hidden_integrator/bias", Tensors.uniform(seed + 5, 3 * H, 0.1));
    v.put("engram_cell/output_dense/kernel", Tensors.uniform(seed + 6, 3 * H * H, 0.4));
    v.put("engram_cell/output_dense/bias", Tensors.uniform(seed + 7, H, 0.1));
    v.put("engram_cell/layer_norm1/gamma", shift(Tensors.uniform(seed + 8, H, 0.2), 1.0));
    v.put("engram_cell/layer_norm1/beta", Tensors.uniform(seed + 9, H, 0.1));
    v.put("engram_cell/layer_norm2/gamma", shift(Tensors.uniform(seed + 10, H, 0.2), 1.0));
    v.put("engram_cell/layer_norm2/beta", Tensors.uniform(seed + 11, H, 0.1));
    v.put("x", shift(Tensors.uniform(seed + 12, B * T * D, inputScale), inputScale));
    v.put("h0", Tensors.uniform(seed + 13, B * H, 0.01));
    v.put("trace0", Tensors.uniform(seed + 14, M * H, 0.01));
    for (int t = 0; t < T; t++) {
      v.put(String.format("noise/t%02d", t), Tensors.uniform(seed + 20 + t, M * H, 0.003));
    }
    return v;
  }

  private static double[] shift(double[] a, double by) {
    for (int i = 0; i < a.length; i++) {
      a[i] += by;
    }
    return a;
  }

  /** Per-step reference values: z, A, m, h, trace. */
  record Reference(
      List<double[]> z,
      List<double[]> a,
      List<double[]> m,
      List<double[]> h,
      List<double[]> trace) {}

  /** The reference cell, step by step, in doubles (float32 constants where Python casts them). */
  static Reference reference(
      Map<String, double[]> v, EngramCellConfig c, boolean float32Constants) {
    double eta = c.hebbianLr();
    double decay = 1.0 - eta;
    double tau = c.tau();
    double scale = c.scaleFactor();
    if (float32Constants) {
      eta = (float) eta;
      decay = (float) decay;
      tau = (float) tau;
      scale = (float) scale;
    }
    double[] h = v.get("h0");
    double[] trace = v.get("trace0");
    double[] x = v.get("x");
    Reference r =
        new Reference(
            new ArrayList<>(),
            new ArrayList<>(),
            new ArrayList<>(),
            new ArrayList<>(),
            new ArrayList<>());
    for (int t = 0; t < T; t++) {
      double[] xt = new double[B * D];
      for (int b = 0; b < B; b++) {
        System.arraycopy(x, (b * T + t) * D, xt, b * D, D);
      }
      double[] z =
          Mat.relu(
              Mat.addRow(
                  Mat.matmul(xt, v.get("engram_cell/input_encoder/kernel"), B, D, H),
                  v.get("engram_cell/input_encoder/bias")));
      if (c.useLayerNorm()) {
        z =
            Mat.layerNorm(
                z,
                B,
                H,
                v.get("engram_cell/layer_norm1/gamma"),
                v.get("engram_cell/layer_norm1/beta"),
                1e-6);
      }
      double[] e = new double[M * H];
      double[] mem = v.get("engram_cell/engram_memory");
      for (int i = 0; i < e.length; i++) {
        e[i] = mem[i] + scale * trace[i];
      }
      double[] s =
          Mat.matmulT(Mat.l2Normalize(z, B, H, 1e-12), Mat.l2Normalize(e, M, H, 1e-12), B, H, M);
      for (int i = 0; i < s.length; i++) {
        s[i] /= tau;
      }
      double[] a = Mat.softmax(s, B, M);
      double[] m = Mat.matmul(a, e, B, M, H);
      double[] cat = Mat.concatColumns(B, z, m, h);
      double[] u =
          Mat.relu(
              Mat.addRow(
                  Mat.matmul(cat, v.get("engram_cell/hidden_integrator/kernel"), B, 3 * H, 3 * H),
                  v.get("engram_cell/hidden_integrator/bias")));
      h =
          Mat.relu(
              Mat.addRow(
                  Mat.matmul(u, v.get("engram_cell/output_dense/kernel"), B, 3 * H, H),
                  v.get("engram_cell/output_dense/bias")));
      if (c.useLayerNorm()) {
        h =
            Mat.layerNorm(
                h,
                B,
                H,
                v.get("engram_cell/layer_norm2/gamma"),
                v.get("engram_cell/layer_norm2/beta"),
                1e-6);
      }
      double[] noise = v.get(String.format("noise/t%02d", t));
      double[] next = new double[M * H];
      for (int i = 0; i < M; i++) {
        for (int j = 0; j < H; j++) {
          double hebb = 0;
          for (int b = 0; b < B; b++) {
            hebb += a[b * M + i] * z[b * H + j];
          }
          hebb /= B;
          double value = trace[i * H + j] * decay + eta * (hebb + noise[i * H + j]);
          next[i * H + j] = Math.max(Math.min(value, 0.1), -0.1);
        }
      }
      trace = next;
      r.z().add(z);
      r.a().add(a);
      r.m().add(m);
      r.h().add(h);
      r.trace().add(trace);
    }
    return r;
  }

  /**
   * Runs the graph cell over T steps with the injected values; returns [step][z, A, m, h, trace].
   */
  static <T extends TFloating> double[][][] runGraph(
      Class<T> type, Map<String, double[]> v, EngramCellConfig c) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamSet<T> params = ParamSet.create(tf, type, 7);
      EngramCell<T> cell = new EngramCell<>(params.child("engram_cell"), D, H, c);
      Placeholder<T> x = tf.placeholder(type, Placeholder.shape(Shape.of(B, T, D)));
      InjectedNoise noise = new InjectedNoise(v);
      State<T> init = cell.initialState(tf, Shapes.batchSize(tf, x), noise);
      Rnn.Sequence<T> seq = Rnn.unroll(tf, cell, x, T, init, noise);
      assertEquals(List.of("h0", "trace0", "noise/t00", "noise/t01", "noise/t02"), noise.requested);
      List<Operand<T>> fetches = new ArrayList<>();
      for (int t = 0; t < T; t++) {
        Map<String, Operand<T>> p = seq.probes().get(t);
        fetches.addAll(
            List.of(
                p.get(EngramCell.Z),
                p.get(EngramCell.ATTENTION),
                p.get(EngramCell.RETRIEVED),
                seq.outputs().get(t),
                p.get(EngramCell.TRACE)));
      }
      Feeds feeds = new Feeds().put(x, v.get("x"));
      params.all().forEach(p -> feeds.put(p.value(), v.get(p.name())));
      try (Session s = new Session(g)) {
        double[][] flat = feeds.run(s, fetches);
        double[][][] out = new double[T][][];
        for (int t = 0; t < T; t++) {
          out[t] = java.util.Arrays.copyOfRange(flat, 5 * t, 5 * t + 5);
        }
        return out;
      }
    }
  }

  private static void compare(double[][][] graph, Reference ref, double tolerance) {
    String[] names = {"z", "attention", "retrieved", "h", "trace"};
    for (int t = 0; t < T; t++) {
      List<double[]> expected =
          List.of(
              ref.z().get(t), ref.a().get(t), ref.m().get(t), ref.h().get(t), ref.trace().get(t));
      for (int k = 0; k < 5; k++) {
        double err = Tensors.relativeError(graph[t][k], expected.get(k));
        assertTrue(
            err <= tolerance,
            "step " + t + " " + names[k] + ": relative error " + err + " > " + tolerance);
      }
    }
  }

  @Test
  void matchesReferenceEquationsInFloat64() {
    EngramCellConfig c = EngramCellConfig.defaults().withMemorySize(M);
    Map<String, double[]> v = values(100, 1.0);
    compare(runGraph(TFloat64.class, v, c), reference(v, c, false), 1e-12);
  }

  @Test
  void matchesReferenceEquationsInFloat32() {
    EngramCellConfig c = EngramCellConfig.defaults().withMemorySize(M);
    Map<String, double[]> v = values(200, 1.0);
    compare(runGraph(TFloat32.class, v, c), reference(v, c, true), 2e-6);
  }

  @Test
  void clipsTheTraceWithoutLayerNorm() {
    // A large Hebbian rate and large inputs drive trace entries past +-0.1.
    EngramCellConfig c = new EngramCellConfig(M, 0.9, 0.5, 1.5, false, 0.3);
    Map<String, double[]> v = values(300, 3.0);
    Reference ref = reference(v, c, false);
    long clipped =
        java.util.Arrays.stream(ref.trace().get(T - 1)).filter(d -> Math.abs(d) == 0.1).count();
    assertTrue(clipped > 0, "test case must exercise the clip");
    compare(runGraph(TFloat64.class, v, c), ref, 1e-12);
  }

  @Test
  void tauIsComputedInDoubleAsInPython() {
    // Values printed by CPython 3.11 for layers.py's `temperature / (1.0 + sparsity_strength *
    // 10.0)`.
    assertEquals(0.75, EngramCellConfig.defaults().tau());
    assertEquals(0.375, EngramCellConfig.defaults().withSparsityStrength(0.3).tau());
    assertEquals(1.5, EngramCellConfig.defaults().withSparsityStrength(0).tau());
    // and 1 - eta as a float32 constant, as TensorFlow converts the Python double 0.95
    assertEquals(0.949999988079071, (double) (float) (1.0 - 0.05));
  }
}
