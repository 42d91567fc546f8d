package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.Batch;
import engram.data.Batches;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * float16 mixed precision with dynamic loss scaling ({@link LossScale}): the model computes in
 * float16, a step with finite gradients applies Adam and counts towards doubling the scale, a step
 * whose scaled gradients overflow changes no weight, slot or iteration count and halves the scale,
 * and 2000 finite steps double it (Keras 3's LossScaleOptimizer).
 */
class LossScaleTest {

  private static final float LR = 0.01f;

  @BeforeAll
  static void load() throws Exception {
    PrecisionTest.load();
  }

  private static Batch batch() {
    Batch batch = Batch.forDataset(PrecisionTest.data.train(), 32);
    Batches.inOrder(PrecisionTest.data.train(), 32).fill(0, batch);
    return batch;
  }

  /** The variable op whose name ends with {@code suffix} (Adam's live under the graph's scopes). */
  private static org.tensorflow.GraphOperation variable(TrainingGraph g, String suffix) {
    List<org.tensorflow.GraphOperation> found = new java.util.ArrayList<>();
    g.graph()
        .operations()
        .forEachRemaining(
            o -> {
              if (o.type().startsWith("Variable") && o.name().endsWith(suffix)) {
                found.add((org.tensorflow.GraphOperation) o);
              }
            });
    assertEquals(1, found.size(), "variables named *" + suffix + ": " + found);
    return found.get(0);
  }

  private static double scalar(TrainingGraph g, String op) {
    try (Result r = g.session().runner().fetch(variable(g, op).output(0)).run()) {
      return r.get(0) instanceof TInt64 n ? n.getObject() : ((TFloat32) r.get(0)).getFloat();
    }
  }

  @SuppressWarnings("unchecked")
  private static void set(TrainingGraph g, String op, float scale) {
    Graph graph = g.graph();
    Ops tf = Ops.create(graph);
    Operand<TFloat32> v = (Operand<TFloat32>) (Operand<?>) variable(g, op).output(0);
    Session s = g.session();
    s.runner().addTarget(tf.assign(v, tf.constant(scale))).run();
  }

  @SuppressWarnings("unchecked")
  private static void set(TrainingGraph g, String op, long count) {
    Graph graph = g.graph();
    Ops tf = Ops.create(graph);
    Operand<TInt64> v = (Operand<TInt64>) (Operand<?>) variable(g, op).output(0);
    g.session().runner().addTarget(tf.assign(v, tf.constant(count))).run();
  }

  @Test
  void aFiniteStepAppliesAdamAsFloat32Does() {
    try (TrainingGraph single = PrecisionTest.graph(Precision.FLOAT32);
        TrainingGraph half = PrecisionTest.graph(Precision.FLOAT16)) {
      assertTrue(
          MixedPrecisionTest.outputTypes(half, "MatMul").contains(DataType.DT_HALF),
          "the model's products run in float16");
      Map<String, double[]> start = PrecisionTest.weights(single);
      assertEquals(start.keySet(), PrecisionTest.weights(half).keySet());
      Batch batch = batch();
      single.trainStep(batch, LR, new long[] {1, 1});
      half.trainStep(batch, LR, new long[] {1, 1});
      assertEquals(LossScale.INITIAL_SCALE, scalar(half, "loss_scale/scale"));
      assertEquals(1, scalar(half, "loss_scale/good_steps"));
      assertEquals(1, scalar(half, "/iterations"));
      // Adam's first step moves a weight by lr * g / (|g| + 1e-7): about lr against the sign of
      // its gradient. float16 rounding changes that only where |g| is near float16's resolution.
      Map<String, double[]> a = PrecisionTest.weights(single);
      Map<String, double[]> b = PrecisionTest.weights(half);
      int weights = 0;
      int same = 0;
      for (String name : start.keySet()) {
        for (int i = 0; i < start.get(name).length; i++) {
          double d32 = a.get(name)[i] - start.get(name)[i];
          double d16 = b.get(name)[i] - start.get(name)[i];
          weights++;
          same += Math.abs(d32 - d16) <= 0.05 * LR ? 1 : 0;
        }
      }
      assertTrue(same >= 0.95 * weights, same + " of " + weights + " weights moved as in float32");
    }
  }

  @Test
  void anOverflowingStepChangesNothingAndHalvesTheScale() {
    try (TrainingGraph half = PrecisionTest.graph(Precision.FLOAT16)) {
      half.trainStep(batch(), LR, new long[] {1, 1}); // one finite step: slots and counts set
      Map<String, double[]> before = PrecisionTest.weights(half);
      double[] m = Tensors(half, "adam/lstm/kernel/m");
      set(half, "loss_scale/scale", 3e38f); // S * loss overflows float32: every gradient inf/NaN
      TrainingGraph.BatchResult r = half.trainStep(batch(), LR, new long[] {1, 2});
      assertTrue(Double.isFinite(r.loss()), "the loss itself is unscaled: " + r.loss());
      assertEquals(before.keySet(), PrecisionTest.weights(half).keySet());
      PrecisionTest.weights(half)
          .forEach(
              (name, w) -> assertEquals(List.of(box(before.get(name))), List.of(box(w)), name));
      assertEquals(List.of(box(m)), List.of(box(Tensors(half, "adam/lstm/kernel/m"))));
      assertEquals(1, scalar(half, "/iterations"), "the skipped step is not counted");
      assertEquals(1.5e38, scalar(half, "loss_scale/scale"), 1e32);
      assertEquals(0, scalar(half, "loss_scale/good_steps"));
      assertEquals(1, half.lossScale()[1], "one skipped step");
    }
  }

  @Test
  void twoThousandFiniteStepsDoubleTheScale() {
    try (TrainingGraph half = PrecisionTest.graph(Precision.FLOAT16)) {
      set(half, "loss_scale/good_steps", LossScale.GROWTH_STEPS - 2);
      half.trainStep(batch(), LR, new long[] {1, 1});
      assertEquals(LossScale.INITIAL_SCALE, scalar(half, "loss_scale/scale"));
      assertEquals(LossScale.GROWTH_STEPS - 1, scalar(half, "loss_scale/good_steps"));
      half.trainStep(batch(), LR, new long[] {1, 2});
      assertEquals(2 * LossScale.INITIAL_SCALE, scalar(half, "loss_scale/scale"));
      assertEquals(0, scalar(half, "loss_scale/good_steps"));
    }
  }

  private static double[] Tensors(TrainingGraph g, String op) {
    try (Result r = g.session().runner().fetch(variable(g, op).output(0)).run()) {
      return engram.testing.Tensors.read(r.get(0));
    }
  }

  private static Double[] box(double[] v) {
    return java.util.Arrays.stream(v).boxed().toArray(Double[]::new);
  }
}
