package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.Batch;
import engram.data.Batches;
import engram.data.Splits;
import engram.models.ModelConfig;
import engram.models.ModelType;
import engram.nn.Param;
import engram.testing.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat64;

/**
 * {@code train.precision: float64}: the whole training graph (weights, loss, gradients, Adam) in
 * double precision, checked against a step computed by hand, and against the float32 graph.
 */
class PrecisionTest {

  static final Path DATA = Path.of("..", "shared", "data").toAbsolutePath();
  static Splits data;

  @BeforeAll
  static void load() throws Exception {
    RunConfig c =
        RunConfig.parsePreset(
            "{\"model\": {\"type\": \"lstm\", \"units\": [8]},"
                + " \"data\": {\"trainLimit\": 64, \"testLimit\": 32}}",
            "test");
    data = Splits.load(c.data(), DATA);
  }

  static TrainingGraph graph(Precision precision) {
    return graph(TrainingGraph.Options.defaults(5).withPrecision(precision));
  }

  /** LSTM(8) on the loaded MNIST rows, built with {@code options}. */
  static TrainingGraph graph(TrainingGraph.Options options) {
    return new TrainingGraph(
        new ModelConfig(ModelType.LSTM, List.of(8), 0, null, null),
        data.train().inputs(),
        data.train().target(),
        0,
        options,
        null);
  }

  static Map<String, double[]> weights(TrainingGraph g) {
    Map<String, double[]> out = new LinkedHashMap<>();
    Session.Runner r = g.session().runner();
    List<? extends Param<?>> ps = g.params().trainable();
    ps.forEach(p -> r.fetch(p.value()));
    try (Result res = r.run()) {
      for (int i = 0; i < ps.size(); i++) {
        out.put(ps.get(i).name(), Tensors.read(res.get(i)));
      }
    }
    return out;
  }

  /**
   * All weights zero but the head's bias b: the LSTM's cell input tanh(0) = 0 keeps c = h = 0, so
   * the logits are b for every example and only b has a gradient, g = mean_i softmax(b) -
   * onehot(y_i). Keras Adam's first step from zero slots is then b - lr sqrt(1 - beta2) / (1 -
   * beta1) * (1 - beta1) g / (sqrt((1 - beta2) g^2) + epsilon), and every other weight stays 0.
   */
  @Test
  void aFloat64StepIsAdamComputedByHand() {
    double[] b = {0.5, -1, 2, 0, 1.5, -0.5, 0.25, 1, -2, 0.75};
    float lr = 0.25f;
    try (TrainingGraph g = graph(Precision.FLOAT64)) {
      assertEquals(TFloat64.class, g.type());
      Map<String, float[]> w = new LinkedHashMap<>();
      for (Param<?> p : g.params().trainable()) {
        assertEquals(TFloat64.class, p.value().type(), p.name());
        float[] v = new float[(int) p.size()];
        if (p.name().equals("head/bias")) {
          for (int k = 0; k < v.length; k++) {
            v[k] = (float) b[k]; // all exact in binary
          }
        }
        w.put(p.name(), v);
      }
      g.setWeights(w);

      Batch batch = Batch.forDataset(data.train(), 32);
      Batches.inOrder(data.train(), 32).fill(0, batch);
      TrainingGraph.BatchResult r = g.trainStep(batch, lr, new long[] {1, 1});

      double lse = 0;
      for (double v : b) {
        lse += Math.exp(v);
      }
      lse = Math.log(lse);
      double loss = 0;
      double[] grad = new double[b.length];
      for (int k = 0; k < b.length; k++) {
        grad[k] = Math.exp(b[k] - lse);
      }
      int[] labels = batch.targets();
      for (int i = 0; i < 32; i++) {
        loss += (lse - b[labels[i]]) / 32;
        grad[labels[i]] -= 1.0 / 32;
      }
      assertEquals(loss, r.loss(), 1e-12);

      double beta1 = Adam.BETA_1;
      double beta2 = Adam.BETA_2;
      double alpha = lr * Math.sqrt(1 - beta2) / (1 - beta1);
      Map<String, double[]> after = weights(g);
      for (int k = 0; k < b.length; k++) {
        double m = (1 - beta1) * grad[k];
        double v = (1 - beta2) * grad[k] * grad[k];
        double expected = b[k] - alpha * m / (Math.sqrt(v) + Adam.EPSILON);
        assertEquals(expected, after.get("head/bias")[k], 1e-12, "bias " + k);
      }
      after.forEach(
          (name, v) -> {
            if (!name.equals("head/bias")) {
              for (double x : v) {
                assertEquals(0.0, x, 0.0, name + " has no gradient and stays 0");
              }
            }
          });
    }
  }

  /**
   * From the same weights (float64 initializers draw other values than float32 ones, so the float32
   * weights are copied over), float32 and float64 training follow one trajectory to float32 error.
   */
  @Test
  void float64TrainingFollowsFloat32() {
    Batches order = Batches.inOrder(data.train(), 32);
    Batch batch = Batch.forDataset(data.train(), 32);
    try (TrainingGraph single = graph(Precision.FLOAT32);
        TrainingGraph wide = graph(Precision.FLOAT64)) {
      Map<String, float[]> start = new LinkedHashMap<>();
      weights(single)
          .forEach(
              (name, v) -> {
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                  f[i] = (float) v[i];
                }
                start.put(name, f);
              });
      wide.setWeights(start);
      for (int step = 0; step < 4; step++) {
        order.fill(step % order.count(), batch);
        double a = single.trainStep(batch, 1e-2f, new long[] {3, step}).loss();
        double c = wide.trainStep(batch, 1e-2f, new long[] {3, step}).loss();
        assertEquals(a, c, 1e-4 * Math.abs(a), "loss at step " + step);
      }
      assertSameWeights(single, wide, 1e-4);
    }
  }

  /** Both graphs hold the same trainable parameters, equal within {@code tolerance}. */
  static void assertSameWeights(TrainingGraph expected, TrainingGraph actual, double tolerance) {
    Map<String, double[]> a = weights(expected);
    Map<String, double[]> b = weights(actual);
    assertEquals(a.keySet(), b.keySet());
    a.forEach(
        (name, v) -> {
          for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], b.get(name)[i], tolerance, name + "[" + i + "]");
          }
        });
  }

  @Test
  void presetsNameThePrecision() {
    RunConfig c =
        RunConfig.parsePreset(
            "{\"model\": {\"type\": \"lstm\"}, \"train\": {\"precision\": \"float64\"}}", "p.json");
    assertEquals(Precision.FLOAT64, c.train().precision());
    assertEquals(
        Precision.FLOAT32,
        RunConfig.parsePreset("{\"model\": {\"type\": \"gru\"}}", "q.json").train().precision());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RunConfig.parsePreset(
                    "{\"model\": {\"type\": \"lstm\"}, \"train\": {\"precision\": \"half\"}}",
                    "r.json"));
    assertTrue(
        e.getMessage().contains("train.precision") && e.getMessage().contains("float64"),
        e.getMessage());
  }
}
