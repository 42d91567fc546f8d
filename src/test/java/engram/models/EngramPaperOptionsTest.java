package engram.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.cells.EngramCellConfig;
import engram.cells.NoiseSource;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.SeedStream;
import engram.testing.Feeds;
import engram.testing.FiniteDifferences;
import engram.testing.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.tensorflow.types.TFloat64;

/**
 * The ENN as its paper describes it: with a trace per example an example's logits do not depend on
 * the rest of its batch; top-k attention rows have exactly k non-zero weights; the attention
 * penalty's gradient equals float64 finite differences.
 */
class EngramPaperOptionsTest {

  static final int B = 3, T = 4, D = 3, H = 4, M = 6, C = 3;

  private static ModelConfig enn(EngramCellConfig cell) {
    return new ModelConfig(ModelType.ENN, List.of(H), 0.0, cell, null);
  }

  /** Temperature 6: tau = 6 / (1 + 10 sparsity) is 1 with k = 3 of 6 slots, not a sharp 1/6. */
  private static EngramCellConfig cell(double sparsity) {
    return new EngramCellConfig(M, 0.3, 0.8, 6.0, true, sparsity);
  }

  /** Example 0's logits, and the attention [T, B, M], with examples 1.. drawn from {@code seed}. */
  private static double[][] run(ModelConfig config, long rest) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamSet<TFloat64> params = ParamSet.create(tf, TFloat64.class, 5);
      SequenceModel<TFloat64> model = new SequenceModel<>(params, config, T, D, C);
      Placeholder<TFloat64> x =
          tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(B, T, D)));
      Model.Forward<TFloat64> f =
          model.forward(
              tf,
              Map.of(SequenceModel.INPUT, x),
              false,
              NoiseSource.zeros(),
              new SeedStream(tf.constant(new long[] {1, 2})));
      double[] xv = Tensors.uniform(rest, B * T * D, 1.0);
      System.arraycopy(Tensors.uniform(77, T * D, 1.0), 0, xv, 0, T * D); // example 0 fixed
      try (Session s = new Session(g)) {
        s.initialize();
        double[][] out =
            new Feeds().put(x, xv).run(s, List.of(f.outputs(), f.memory().get(Model.ATTENTION)));
        return new double[][] {Arrays.copyOf(out[0], C), out[1]};
      }
    }
  }

  @Test
  void withATracePerExampleNoExampleDependsOnItsBatch() {
    ModelConfig perExample = enn(cell(0.1).withPaperOptions("example", false, "none", 0));
    assertArrayEquals(run(perExample, 1)[0], run(perExample, 2)[0], 1e-12);
    // The reference's shared trace mixes the batch from the second step on.
    ModelConfig shared = enn(cell(0.1));
    assertFalse(Arrays.equals(run(shared, 1)[0], run(shared, 2)[0]));
  }

  @Test
  void topKKeepsExactlyKWeightsPerRow() {
    for (String trace : List.of("shared", "example")) {
      EngramCellConfig c = cell(0.5).withPaperOptions(trace, true, "none", 0); // k = 3 of 6
      double[] a = run(enn(c), 3)[1];
      for (int row = 0; row < T * B; row++) {
        int nonZero = 0;
        double sum = 0;
        for (int m = 0; m < M; m++) {
          double w = a[row * M + m];
          nonZero += w != 0 ? 1 : 0;
          sum += w;
        }
        assertEquals(3, nonZero, trace + " row " + row);
        assertEquals(1.0, sum, 1e-9, "the kept weights are a softmax");
      }
    }
  }

  @Test
  void attentionPenaltiesMatchFiniteDifferences() {
    for (String penalty : List.of("entropy", "l1")) {
      for (boolean topK : List.of(false, true)) {
        EngramCellConfig c = cell(0.5).withPaperOptions("example", topK, penalty, 0.7);
        double err = gradientError(enn(c));
        assertTrue(err <= 1e-6, penalty + (topK ? " with top-k" : "") + ": " + err);
      }
    }
  }

  /** Max relative error of d(sum(logits * R) + penalty)/dw against central differences. */
  private static double gradientError(ModelConfig config) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamSet<TFloat64> params = ParamSet.create(tf, TFloat64.class, 9);
      SequenceModel<TFloat64> model = new SequenceModel<>(params, config, T, D, C);
      Placeholder<TFloat64> x =
          tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(B, T, D)));
      Model.Forward<TFloat64> f =
          model.forward(
              tf,
              Map.of(SequenceModel.INPUT, x),
              true,
              NoiseSource.zeros(),
              new SeedStream(tf.constant(new long[] {1, 2})));
      assertTrue(f.penalty() != null, "training adds the penalty");
      Operand<TFloat64> r =
          tf.constant(
              Shape.of(B, C),
              org.tensorflow.ndarray.buffer.DataBuffers.of(
                  Tensors.uniform(31, B * C, 1.0), true, false));
      Operand<TFloat64> loss =
          tf.math.add(
              tf.sum(tf.math.mul(f.outputs(), r), tf.constant(new int[] {0, 1})), f.penalty());
      List<Param<TFloat64>> ps = params.trainable();
      Output<?>[] xs = ps.stream().map(p -> p.value().asOutput()).toArray(Output<?>[]::new);
      Output<?>[] grads = g.addGradients(loss.asOutput(), xs);
      Map<Param<TFloat64>, double[]> base = new HashMap<>();
      long k = 0;
      for (Param<TFloat64> p : ps) {
        double[] v = Tensors.uniform(40 + (++k), (int) p.size(), 0.6);
        if (p.name().endsWith("gamma")) {
          for (int i = 0; i < v.length; i++) v[i] += 1.0;
        }
        base.put(p, v);
      }
      double[] xv = Tensors.uniform(99, B * T * D, 1.0);
      try (Session s = new Session(g)) {
        List<Operand<?>> fetches = new ArrayList<>(Arrays.asList(grads));
        double[][] analytic = feeds(x, xv, base).run(s, fetches);
        double worst = 0;
        for (int i = 0; i < ps.size(); i++) {
          double[] numeric =
              FiniteDifferences.gradient(
                  base, ps.get(i), 1e-6, v -> feeds(x, xv, v).run(s, List.of(loss))[0][0]);
          worst = Math.max(worst, Tensors.relativeError(analytic[i], numeric));
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
}
