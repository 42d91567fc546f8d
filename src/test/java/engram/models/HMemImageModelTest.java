package engram.models;

import static engram.models.HMemTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.cells.NoiseSource;
import engram.nn.ConvNetConfig;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.SeedStream;
import engram.testing.Feeds;
import engram.testing.FiniteDifferences;
import engram.testing.Mat;
import engram.testing.Tensors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * The image-association models: trainable-parameter counts against a hand count of the released
 * Keras models, and a tiny Conv2D -> BatchNorm -> MaxPool -> H-Mem stack against a plain-Java
 * float64 forward pass and float64 finite differences.
 */
class HMemImageModelTest {

  @Test
  void convNet14ModelsHaveTheReleasedParameterCounts() {
    // ConvNet14 without top, per block: conv(3x3, in -> c) + BN(c) + conv(c -> c) + BN(c),
    // a conv has 9 in c + c weights, a BN 2c trainable ones.
    long cnn = 0;
    int in = 3;
    for (int c : new int[] {32, 64, 128, 256, 512}) {
      cnn += 9L * in * c + c + 2 * c + 9L * c * c + c + 2 * c;
      in = c;
    }
    assertEquals(4_716_192, cnn);
    // 32 x 64 frames pooled 5 times: 1 x 2 x 512 = 1024 features into Dense(128) + BN(128).
    long branch = 1024 * 128 + 2 * 128;
    long hmem = cnn + 2 * branch + 2 * 128 * 200 + 128 * 200 + 200 * 10; // W_k, W_v, W_r, W_o
    long lstm = cnn + branch + 4 * (128 * 200 + 200 * 200 + 200) + 200 * 10;
    assertEquals(5_057_648, hmem);
    assertEquals(5_112_720, lstm);

    HMemConfig c = new HMemConfig(128, 200, 1, HMemConfig.Encoding.LE, 0.01, 0.01, 1, 1e-3);
    ConvNetConfig net = ConvNetConfig.convNet14();
    try (Graph g = new Graph()) {
      ParamSet<TFloat32> params = ParamSet.create(Ops.create(g), TFloat32.class, 1);
      new HMemImageModel<>(params, c, net, 3, new int[] {32, 64, 3}, 10);
      assertEquals(hmem, params.trainableCount());
    }
    try (Graph g = new Graph()) {
      ParamSet<TFloat32> params = ParamSet.create(Ops.create(g), TFloat32.class, 1);
      ModelConfig m =
          new ModelConfig(
              ModelType.LSTM, List.of(200), 0, null, null, ModelConfig.LAST, 0, false, net);
      new FrameSequenceModel<>(params, m, 3, new int[] {32, 64, 3}, 10);
      assertEquals(lstm, params.trainableCount());
    }
  }

  // ---- tiny: B 2, L 3 frames of 4 x 6 x 2, one block of 2 filters, features 3, m 3, 4 classes
  static final int B = 2, L = 3, H = 4, W = 6, C = 2, F = 2, D = 3, M = 3, K = 4;
  static final HMemConfig CONFIG =
      new HMemConfig(D, M, 1, HMemConfig.Encoding.LE, 0.2, 0.1, 1.0, 1e-3);
  static final ConvNetConfig NET = new ConvNetConfig(List.of(F), List.of(0.0), 1, D, 0.0, 1e-3);

  record Built<T extends TFloating>(
      Graph graph,
      ParamSet<T> params,
      Placeholder<T> story,
      Placeholder<T> query,
      Operand<T> logits,
      Operand<T> penalty,
      List<org.tensorflow.op.Op> updates) {}

  /** The tiny stack in float64, the type of the reference checks. */
  static Built<TFloat64> build() {
    return build(TFloat64.class);
  }

  static <T extends TFloating> Built<T> build(Class<T> type) {
    Graph g = new Graph();
    Ops tf = Ops.create(g);
    ParamSet<T> params = ParamSet.create(tf, type, 5);
    HMemImageModel<T> model = new HMemImageModel<>(params, CONFIG, NET, L, new int[] {H, W, C}, K);
    Placeholder<T> story = tf.placeholder(type, Placeholder.shape(Shape.of(B, L, H, W, C)));
    Placeholder<T> query = tf.placeholder(type, Placeholder.shape(Shape.of(B, H, W, C)));
    Model.Forward<T> f =
        model.forward(
            tf,
            Map.of(HMemClassifier.STORY, story, HMemClassifier.QUERY, query),
            true,
            NoiseSource.zeros(),
            new SeedStream(tf.constant(new long[] {1, 1})));
    return new Built<>(g, params, story, query, f.outputs(), model.penalty(tf), f.updates());
  }

  /** d (sum(logits * R) + penalty) / d every trainable parameter, R fixed. */
  static <T extends TFloating> Output<?>[] gradients(
      Graph g, Operand<T> logits, Operand<T> penalty, List<Param<T>> params) {
    Ops tf = Ops.create(g);
    Operand<T> r =
        tf.dtypes.cast(
            tf.constant(
                Shape.of(B, K),
                org.tensorflow.ndarray.buffer.DataBuffers.of(
                    Tensors.uniform(77, B * K, 1.0), true, false)),
            logits.type());
    Operand<T> loss =
        tf.math.add(tf.sum(tf.math.mul(logits, r), tf.constant(new int[] {0, 1})), penalty);
    Output<?>[] grads =
        engram.ops.SharedWeightGradients.of(
                g,
                "gradients",
                loss,
                params.stream().<Output<?>>map(p -> p.value().asOutput()).toList())
            .gradients();
    Output<?>[] withLoss = java.util.Arrays.copyOf(grads, grads.length + 1);
    withLoss[grads.length] = loss.asOutput();
    return withLoss;
  }

  static final double[] STORY = Tensors.uniform(11, B * L * H * W * C, 1.0);
  static final double[] QUERY = Tensors.uniform(12, B * H * W * C, 1.0);

  static Map<String, double[]> weights(ParamSet<?> params, long seed) {
    Map<String, double[]> w = new HashMap<>();
    for (Param<?> p : params.trainable()) {
      double[] v = Tensors.uniform(seed++, (int) p.size(), 0.8);
      if (p.name().endsWith("gamma")) {
        for (int i = 0; i < v.length; i++) v[i] = 1 + 0.3 * v[i];
      }
      if (p.name().contains("dense") || p.name().contains("ing/")) {
        for (int i = 0; i < v.length; i++) v[i] += 0.3; // mostly active ReLUs
      }
      w.put(p.name(), v);
    }
    return w;
  }

  static double[] run(Session s, Built<?> b, Map<String, double[]> w, Operand<?> fetch) {
    Feeds feeds = new Feeds().put(b.story(), STORY).put(b.query(), QUERY);
    for (Param<?> p : b.params().trainable()) {
      feeds.put(p.value(), w.get(p.name()));
    }
    return feeds.run(s, List.of(fetch))[0];
  }

  // ---- plain-Java float64 reference of the forward pass, BatchNorm in training mode ----

  /** 'same' 3x3 convolution + bias, ELU, BatchNorm over N, H, W, 2x2 max pooling, flattened. */
  static double[] convBlock(double[] x, int n, Map<String, double[]> w) {
    double[] k = w.get("conv_net/block1/conv1/kernel");
    double[] bias = w.get("conv_net/block1/conv1/bias");
    double[] y = new double[n * H * W * F];
    for (int i = 0; i < n; i++)
      for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++)
          for (int o = 0; o < F; o++) {
            double s = bias[o];
            for (int dr = 0; dr < 3; dr++)
              for (int dc = 0; dc < 3; dc++)
                for (int ch = 0; ch < C; ch++) {
                  int rr = r + dr - 1, cc = c + dc - 1;
                  if (rr < 0 || rr >= H || cc < 0 || cc >= W) continue;
                  s += x[((i * H + rr) * W + cc) * C + ch] * k[((dr * 3 + dc) * C + ch) * F + o];
                }
            y[((i * H + r) * W + c) * F + o] = s > 0 ? s : Math.exp(s) - 1; // ELU
          }
    y = batchNorm(y, n * H * W, F, w, "conv_net/block1/bn1/");
    double[] p = new double[n * (H / 2) * (W / 2) * F];
    for (int i = 0; i < n; i++)
      for (int r = 0; r < H / 2; r++)
        for (int c = 0; c < W / 2; c++)
          for (int o = 0; o < F; o++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int dr = 0; dr < 2; dr++)
              for (int dc = 0; dc < 2; dc++)
                m = Math.max(m, y[((i * H + 2 * r + dr) * W + 2 * c + dc) * F + o]);
            p[((i * (H / 2) + r) * (W / 2) + c) * F + o] = m;
          }
    return p;
  }

  static double[] batchNorm(double[] x, int rows, int d, Map<String, double[]> w, String scope) {
    return HMemTest.batchNorm(x, rows, d, w.get(scope + "gamma"), w.get(scope + "beta"));
  }

  static double[] features(double[] frames, int n, Map<String, double[]> w, String branch) {
    int flat = (H / 2) * (W / 2) * F;
    double[] f =
        Mat.relu(Mat.matmul(convBlock(frames, n, w), w.get(branch + "/dense/kernel"), n, flat, D));
    return batchNorm(f, n, D, w, branch + "/batch_norm/");
  }

  static double[] referenceLogits(Map<String, double[]> w) {
    double[] f = features(STORY, B * L, w, "story"); // rows b * L + t
    double[] g = features(QUERY, B, w, "query");
    double[] k = Mat.relu(Mat.matmul(f, w.get("extracting/key_kernel"), B * L, D, M));
    double[] v = Mat.relu(Mat.matmul(f, w.get("extracting/value_kernel"), B * L, D, M));
    double[][] ks = new double[L][B * M], vs = new double[L][B * M];
    for (int n = 0; n < B; n++)
      for (int t = 0; t < L; t++)
        for (int i = 0; i < M; i++) {
          ks[t][n * M + i] = k[(n * L + t) * M + i];
          vs[t][n * M + i] = v[(n * L + t) * M + i];
        }
    double[] mem = HMemTest.referenceStore(ks, vs, B, M, 0.2, 0.1, 1.0);
    double[] key = Mat.relu(Mat.matmul(g, w.get("reading/kernel"), B, D, M));
    double[] read = new double[B * M];
    for (int n = 0; n < B; n++)
      for (int j = 0; j < M; j++)
        for (int i = 0; i < M; i++) read[n * M + j] += key[n * M + i] * mem[(n * M + i) * M + j];
    return Mat.matmul(read, w.get("output"), B, M, K);
  }

  @Test
  void forwardMatchesAPlainJavaTranscription() {
    Built<TFloat64> b = build();
    try (Session s = new Session(b.graph())) {
      Map<String, double[]> w = weights(b.params(), 30);
      assertClose(run(s, b, w, b.logits()), referenceLogits(w), 1e-12, "logits");
      double l2 = 0;
      for (Param<TFloat64> p : b.params().trainable()) {
        if (p.name().endsWith("kernel") && !p.name().equals("output")) {
          for (double x : w.get(p.name())) l2 += 1e-3 * x * x;
        }
      }
      assertClose(
          run(s, b, w, b.penalty()), new double[] {l2}, 1e-14, "L2 on every kernel but W_o");
    } finally {
      b.graph().close();
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Built<TFloat64> b = build();
    try {
      List<Param<TFloat64>> ps = b.params().trainable();
      Output<?>[] grads = gradients(b.graph(), b.logits(), b.penalty(), ps);
      Output<?> loss = grads[ps.size()];
      Map<String, double[]> w = weights(b.params(), 60);
      try (Session session = new Session(b.graph())) {
        for (int i = 0; i < ps.size(); i++) {
          Param<TFloat64> p = ps.get(i);
          double[] analytic = run(session, b, w, grads[i]);
          double[] numeric =
              FiniteDifferences.gradient(w, p.name(), 1e-6, v -> run(session, b, v, loss)[0]);
          assertClose(analytic, numeric, 1e-6, "d loss / d " + p.name());
        }
      }
    } finally {
      b.graph().close();
    }
  }

  /**
   * A float32 graph takes TensorFlow's fused BatchNorm kernel and oneDNN's max pooling, which have
   * no float64 versions: its logits, gradients and BatchNorm moving-statistics updates must be
   * those of the float64 graph, which the tests above check against independent references.
   */
  @Test
  void float32KernelsComputeWhatTheFloat64GraphComputes() {
    Built<TFloat64> b = build();
    Built<TFloat32> f = build(TFloat32.class);
    try {
      List<Param<TFloat32>> ps = f.params().trainable();
      Output<?>[] grads32 = gradients(f.graph(), f.logits(), f.penalty(), ps);
      Output<?>[] grads64 = gradients(b.graph(), b.logits(), b.penalty(), b.params().trainable());
      Map<String, double[]> w = weights(b.params(), 90);
      try (Session s32 = new Session(f.graph());
          Session s64 = new Session(b.graph())) {
        s32.initialize();
        s64.initialize();
        assertClose(run(s32, f, w, f.logits()), referenceLogits(w), 1e-5, "logits");
        for (int i = 0; i < ps.size(); i++) {
          double[] g32 = run(s32, f, w, grads32[i]);
          double[] g64 = run(s64, b, w, grads64[i]);
          double diff = 0;
          double scale = 1e-3; // the first BN's beta has a zero gradient (the next BN removes it)
          for (int j = 0; j < g64.length; j++) {
            diff = Math.max(diff, Math.abs(g32[j] - g64[j]));
            scale = Math.max(scale, Math.abs(g64[j]));
          }
          assertTrue(
              diff <= 1e-4 * scale,
              "float32 d loss / d " + ps.get(i).name() + ": error " + diff + " at scale " + scale);
        }
        assertEquals(b.updates().size(), f.updates().size());
        for (int i = 0; i < f.updates().size(); i++) {
          assertClose(
              run(s32, f, w, f.updates().get(i).op().output(0)),
              run(s64, b, w, b.updates().get(i).op().output(0)),
              1e-6,
              "moving statistics update " + f.updates().get(i).op().name());
        }
      }
    } finally {
      b.graph().close();
      f.graph().close();
    }
  }
}
