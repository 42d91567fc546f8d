package engram.cells;

import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.models.Rnn;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Shapes;
import engram.testing.Feeds;
import engram.testing.Mat;
import engram.testing.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * SimpleRNN, GRU and LSTM cells against (a) the outputs Keras 3.10 records in its own {@code
 * test_correctness} tests (constant initializers 0.01 / 0.02 / 0.03 on {@code arange} inputs) and
 * (b) plain-Java float64 transcriptions of Keras' equations with asymmetric random weights, which
 * pin down the gate order that constant weights cannot.
 */
class KerasBaselineCellsTest {

  /** Final outputs of a cell built by {@code make} on x, with params fed from {@code weights}. */
  static <T extends TFloating> double[] lastOutput(
      Class<T> type,
      Function<ParamSet<T>, RecurrentCell<T>> make,
      double[] x,
      int b,
      int steps,
      int d,
      Function<Param<T>, double[]> weights) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamSet<T> params = ParamSet.create(tf, type, 1);
      RecurrentCell<T> cell = make.apply(params);
      Placeholder<T> in = tf.placeholder(type, Placeholder.shape(Shape.of(b, steps, d)));
      State<T> init = cell.initialState(tf, Shapes.batchSize(tf, in), NoiseSource.zeros());
      Rnn.Sequence<T> seq = Rnn.unroll(tf, cell, in, steps, init, NoiseSource.zeros());
      Feeds feeds = new Feeds().put(in, x);
      params.all().forEach(p -> feeds.put(p.value(), weights.apply(p)));
      try (Session s = new Session(g)) {
        return feeds.run(s, List.of(seq.last()))[0];
      }
    }
  }

  private static double[] arange(int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return v;
  }

  private static double[] filled(long n, double value) {
    double[] v = new double[(int) n];
    Arrays.fill(v, value);
    return v;
  }

  /** Keras constant initializers: kernel 0.01, recurrent 0.02, bias 0.03. */
  private static <T extends TFloating> double[] kerasConstants(Param<T> p) {
    String n = p.name();
    double v = n.endsWith("recurrent_kernel") ? 0.02 : n.endsWith("kernel") ? 0.01 : 0.03;
    return filled(p.size(), v);
  }

  private static void assertClose(double[] actual, double[] expected, double tol, String what) {
    double err = Tensors.relativeError(actual, expected);
    assertTrue(
        err <= tol,
        what + ": relative error " + err + " > " + tol + "; got " + Arrays.toString(actual));
  }

  @Test
  void simpleRnnMatchesKerasRecordedOutput() {
    double[] out =
        lastOutput(
            TFloat32.class,
            p -> new SimpleRnnCell<>(p, 4, 4),
            arange(24),
            2,
            3,
            4,
            KerasBaselineCellsTest::kerasConstants);
    double[] keras = {
      0.405432, 0.405432, 0.405432, 0.405432, 0.73605347, 0.73605347, 0.73605347, 0.73605347
    };
    assertClose(out, keras, 1e-6, "SimpleRNN");
  }

  @Test
  void gruMatchesKerasRecordedOutput() {
    double[] out =
        lastOutput(
            TFloat32.class,
            p -> new GruCell<>(p, 4, 3),
            arange(72),
            3,
            6,
            4,
            KerasBaselineCellsTest::kerasConstants);
    double[] keras = {
      0.5217289,
      0.5217289,
      0.5217289,
      0.6371659,
      0.6371659,
      0.6371659,
      0.39384964,
      0.39384964,
      0.3938496
    };
    assertClose(out, keras, 1e-6, "GRU");
  }

  @Test
  void lstmMatchesKerasRecordedOutput() {
    // Keras keeps unit_forget_bias with a custom bias initializer: the forget block is ones.
    double[] out =
        lastOutput(
            TFloat32.class,
            p -> new LstmCell<>(p, 4, 3),
            arange(72),
            3,
            6,
            4,
            p -> {
              if (!p.name().endsWith("bias")) {
                return kerasConstants(p);
              }
              double[] bias = filled(12, 0.03);
              Arrays.fill(bias, 3, 6, 1.0);
              return bias;
            });
    double[] keras = {
      0.6288687,
      0.6288687,
      0.6288687,
      0.86899155,
      0.86899155,
      0.86899155,
      0.9460773,
      0.9460773,
      0.9460773
    };
    assertClose(out, keras, 1e-6, "LSTM");
  }

  // ---- asymmetric weights against float64 transcriptions of the Keras equations ----

  static final int B = 2, T = 4, D = 3, U = 5;

  private static double[] step(double[] x, int t) {
    double[] xt = new double[B * D];
    for (int b = 0; b < B; b++) {
      System.arraycopy(x, (b * T + t) * D, xt, b * D, D);
    }
    return xt;
  }

  private static Map<String, double[]> weights(int gates, long seed, boolean gruBias) {
    return Map.of(
        "kernel", Tensors.uniform(seed, D * gates * U, 0.7),
        "recurrent_kernel", Tensors.uniform(seed + 1, U * gates * U, 0.7),
        "bias", Tensors.uniform(seed + 2, (gruBias ? 2 : 1) * gates * U, 0.3));
  }

  private static <T extends TFloating> Function<Param<T>, double[]> byLeafName(
      Map<String, double[]> w) {
    return p -> w.get(p.name().substring(p.name().lastIndexOf('/') + 1));
  }

  @Test
  void simpleRnnEquations() {
    Map<String, double[]> w = weights(1, 10, false);
    double[] x = Tensors.uniform(13, B * T * D, 1.0);
    double[] h = new double[B * U];
    for (int t = 0; t < T; t++) {
      h =
          Mat.tanh(
              Mat.add(
                  Mat.addRow(Mat.matmul(step(x, t), w.get("kernel"), B, D, U), w.get("bias")),
                  Mat.matmul(h, w.get("recurrent_kernel"), B, U, U)));
    }
    double[] out =
        lastOutput(
            TFloat64.class,
            p -> new SimpleRnnCell<>(p.child("rnn"), D, U),
            x,
            B,
            T,
            D,
            byLeafName(w));
    assertClose(out, h, 1e-13, "SimpleRNN float64");
  }

  @Test
  void gruEquationsResetAfter() {
    Map<String, double[]> w = weights(3, 20, true);
    double[] x = Tensors.uniform(23, B * T * D, 1.0);
    double[] bIn = Arrays.copyOfRange(w.get("bias"), 0, 3 * U);
    double[] bRec = Arrays.copyOfRange(w.get("bias"), 3 * U, 6 * U);
    double[] h = new double[B * U];
    for (int t = 0; t < T; t++) {
      double[] mx = Mat.addRow(Mat.matmul(step(x, t), w.get("kernel"), B, D, 3 * U), bIn);
      double[] mh = Mat.addRow(Mat.matmul(h, w.get("recurrent_kernel"), B, U, 3 * U), bRec);
      double[] next = new double[B * U];
      for (int b = 0; b < B; b++) {
        for (int j = 0; j < U; j++) {
          double z = Mat.sigmoid(mx[b * 3 * U + j] + mh[b * 3 * U + j]);
          double r = Mat.sigmoid(mx[b * 3 * U + U + j] + mh[b * 3 * U + U + j]);
          double hh = Math.tanh(mx[b * 3 * U + 2 * U + j] + r * mh[b * 3 * U + 2 * U + j]);
          next[b * U + j] = z * h[b * U + j] + (1 - z) * hh;
        }
      }
      h = next;
    }
    double[] out =
        lastOutput(
            TFloat64.class, p -> new GruCell<>(p.child("gru"), D, U), x, B, T, D, byLeafName(w));
    assertClose(out, h, 1e-13, "GRU float64");
  }

  @Test
  void lstmEquationsGateOrderIfco() {
    Map<String, double[]> w = weights(4, 30, false);
    double[] x = Tensors.uniform(33, B * T * D, 1.0);
    double[] h = new double[B * U];
    double[] c = new double[B * U];
    for (int t = 0; t < T; t++) {
      double[] z =
          Mat.addRow(
              Mat.add(
                  Mat.matmul(step(x, t), w.get("kernel"), B, D, 4 * U),
                  Mat.matmul(h, w.get("recurrent_kernel"), B, U, 4 * U)),
              w.get("bias"));
      double[] hn = new double[B * U];
      double[] cn = new double[B * U];
      for (int b = 0; b < B; b++) {
        for (int j = 0; j < U; j++) {
          int o = b * 4 * U;
          double i = Mat.sigmoid(z[o + j]);
          double f = Mat.sigmoid(z[o + U + j]);
          double g = Math.tanh(z[o + 2 * U + j]);
          double og = Mat.sigmoid(z[o + 3 * U + j]);
          cn[b * U + j] = f * c[b * U + j] + i * g;
          hn[b * U + j] = og * Math.tanh(cn[b * U + j]);
        }
      }
      h = hn;
      c = cn;
    }
    double[] out =
        lastOutput(
            TFloat64.class, p -> new LstmCell<>(p.child("lstm"), D, U), x, B, T, D, byLeafName(w));
    assertClose(out, h, 1e-13, "LSTM float64");
  }
}
