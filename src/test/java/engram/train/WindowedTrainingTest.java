package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.Session;

/**
 * TrainingGraph with BPTT windows on MNIST rows (T = 28 in windows of 10, 10, 8). A model without
 * random draws (LSTM, no dropout) must follow the whole-sequence graph's trajectory: the windows'
 * gradient is the whole sequence's (float64 finite differences in {@link BpttWindowsTest}), so the
 * Adam steps agree to float32 rounding.
 */
class WindowedTrainingTest {

  static final Path DATA = Path.of("..", "shared", "data").toAbsolutePath();
  static Splits data;

  @BeforeAll
  static void load() throws Exception {
    RunConfig c =
        RunConfig.parsePreset(
            "{\"model\": {\"type\": \"lstm\", \"units\": [8]},"
                + " \"data\": {\"trainLimit\": 96, \"testLimit\": 32}}",
            "test");
    data = Splits.load(c.data(), DATA);
  }

  static TrainingGraph graph(ModelConfig model, Bptt bptt) {
    return new TrainingGraph(
        model,
        data.train().inputs(),
        data.train().target(),
        0,
        TrainingGraph.Options.defaults(11).withClipnorm(1.0).withBptt(bptt),
        null);
  }

  static Map<String, float[]> weights(TrainingGraph g) {
    Map<String, float[]> out = new java.util.LinkedHashMap<>();
    Session.Runner r = g.session().runner();
    List<? extends Param<?>> ps = g.params().trainable();
    ps.forEach(p -> r.fetch(p.value()));
    try (Result res = r.run()) {
      for (int i = 0; i < ps.size(); i++) {
        double[] v = Tensors.read(res.get(i));
        float[] f = new float[v.length];
        for (int j = 0; j < v.length; j++) f[j] = (float) v[j];
        out.put(ps.get(i).name(), f);
      }
    }
    return out;
  }

  @Test
  void windowedStepsFollowTheWholeSequence() {
    ModelConfig lstm = new ModelConfig(ModelType.LSTM, List.of(8), 0, null, null);
    Batches order = Batches.inOrder(data.train(), 32);
    Batch batch = Batch.forDataset(data.train(), 32);
    try (TrainingGraph whole = graph(lstm, Bptt.WHOLE);
        TrainingGraph windowed = graph(lstm, new Bptt(10, false))) {
      assertFalse(whole.windowed());
      assertTrue(windowed.windowed());
      List<double[]> losses = new ArrayList<>();
      for (int step = 0; step < 3; step++) {
        order.fill(step, batch);
        TrainingGraph.BatchResult a = whole.trainStep(batch, 1e-2f, new long[] {5, step});
        TrainingGraph.BatchResult b = windowed.trainStep(batch, 1e-2f, new long[] {5, step});
        losses.add(new double[] {a.loss(), b.loss()});
        assertEquals(a.correct(), b.correct(), "step " + step);
      }
      for (double[] l : losses) {
        assertEquals(l[0], l[1], 1e-5 * Math.abs(l[0]), "batch loss");
      }
      Map<String, float[]> wa = weights(whole);
      Map<String, float[]> wb = weights(windowed);
      for (String name : wa.keySet()) {
        double[] x = toDouble(wa.get(name));
        double[] y = toDouble(wb.get(name));
        double err = Tensors.relativeError(y, x);
        assertTrue(err < 1e-4, name + ": weights after 3 steps differ by " + err);
      }

      order.fill(0, batch);
      float[] la = new float[32 * 10];
      float[] lb = new float[32 * 10];
      TrainingGraph.BatchResult ea = whole.evaluate(batch, new long[] {5, -1}, la, 0);
      TrainingGraph.BatchResult eb = windowed.evaluate(batch, new long[] {5, -1}, lb, 0);
      assertEquals(ea.loss(), eb.loss(), 1e-5 * ea.loss());
      assertTrue(Tensors.relativeError(toDouble(lb), toDouble(la)) < 1e-5);
    }
  }

  @Test
  void ennMemoryIsJoinedAcrossWindows() {
    ModelConfig enn =
        new ModelConfig(
            ModelType.ENN,
            List.of(8),
            0.3,
            engram.cells.EngramCellConfig.defaults().withMemorySize(4),
            null);
    Batch batch = Batch.forDataset(data.train(), 16);
    Batches.inOrder(data.train(), 16).fill(0, batch);
    try (TrainingGraph whole = graph(enn, Bptt.WHOLE);
        TrainingGraph windowed = graph(enn, new Bptt(10, true))) {
      // Deterministic evaluation (zero noise): the same weights give the same memory.
      Map<String, TrainingGraph.Array> a = whole.memory(batch, new long[] {5, -1});
      Map<String, TrainingGraph.Array> b = windowed.memory(batch, new long[] {5, -1});
      assertEquals(a.keySet(), b.keySet());
      for (String k : a.keySet()) {
        assertEquals(
            java.util.Arrays.toString(a.get(k).shape()),
            java.util.Arrays.toString(b.get(k).shape()),
            k);
        assertTrue(
            Tensors.relativeError(toDouble(b.get(k).values()), toDouble(a.get(k).values())) < 1e-5,
            k);
      }
      TrainingGraph.BatchResult r = windowed.trainStep(batch, 1e-3f, new long[] {5, 0});
      assertTrue(Double.isFinite(r.loss()) && r.loss() > 0, "loss " + r.loss());
    }
  }

  @Test
  void hmemHasNoWindows() {
    RunConfig c = RunConfig.parsePreset("{\"model\": {\"type\": \"hmem\"}}", "test");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new TrainingGraph(
                    c.model(),
                    List.of(
                        new engram.data.Feature(
                            "story", engram.data.Feature.Kind.INT, new int[] {4, 3}),
                        new engram.data.Feature(
                            "query", engram.data.Feature.Kind.INT, new int[] {3})),
                    engram.data.Target.classOf(5),
                    0,
                    TrainingGraph.Options.defaults(1).withBptt(new Bptt(2, false)),
                    null));
    assertTrue(e.getMessage().contains("not hmem"), e.getMessage());
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }
}
