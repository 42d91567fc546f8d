package engram.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Tensors;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/** Graph building blocks against numbers worked out by hand. */
class OpsTest {

  /** Evaluates {@code build(tf)} in a fresh graph and returns the values. */
  static double[] eval(java.util.function.Function<Ops, Operand<?>> build) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Operand<?> out = build.apply(Ops.create(g));
      try (Result r = s.runner().fetch(out).run()) {
        return Tensors.read(r.get(0));
      }
    }
  }

  @Test
  void layerNormOfOneToFour() {
    // x = (1,2,3,4): mean 2.5, variance 1.25; (x - mean)/sqrt(1.25 + 1e-6) = (+-1.3416402,
    // +-0.4472134).
    // gamma (1, 2, 0.5, -1), beta (0, 0.1, -0.2, 0.3).
    double inv = 1 / Math.sqrt(1.25 + 1e-6);
    double[] expected = {
      -1.5 * inv, -0.5 * inv * 2 + 0.1, 0.5 * inv * 0.5 - 0.2, 1.5 * inv * -1 + 0.3
    };
    assertEquals(-1.3416402, expected[0], 1e-7);
    double[] y =
        eval(
            tf ->
                Norms.layerNorm(
                    tf,
                    tf.constant(new double[][] {{1, 2, 3, 4}}),
                    tf.constant(new double[] {1, 2, 0.5, -1}),
                    tf.constant(new double[] {0, 0.1, -0.2, 0.3}),
                    1e-6));
    assertArrayEquals(expected, y, 1e-12);
  }

  @Test
  void layerNormGradientOfAConstantRowVanishesForX() {
    // LN(x + c) = LN(x): the gradient of any loss w.r.t. x sums to zero over the row.
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> x = tf.constant(new double[][] {{0.3, -1.2, 2.0, 0.7}});
      Operand<TFloat64> y =
          Norms.layerNorm(
              tf, x, tf.constant(new double[] {1, 1, 1, 1}), tf.constant(new double[4]), 1e-6);
      Operand<TFloat64> loss =
          tf.sum(
              tf.math.mul(y, tf.constant(new double[][] {{1, -2, 3, 0.5}})),
              tf.constant(new int[] {0, 1}));
      Output<?>[] grad = g.addGradients(loss.asOutput(), new Output<?>[] {x.asOutput()});
      try (Result r = s.runner().fetch(grad[0]).run()) {
        double sum = 0;
        for (double d : Tensors.read(r.get(0))) sum += d;
        assertEquals(0, sum, 1e-12);
      }
    }
  }

  @Test
  void l2NormalizeOfThreeFourAndOfZero() {
    double[] y =
        eval(tf -> Norms.l2Normalize(tf, tf.constant(new double[][] {{3, 4}, {0, 0}}), 1e-12));
    assertArrayEquals(new double[] {0.6, 0.8, 0, 0}, y, 1e-15);
  }

  @Test
  void softmaxCrossEntropyByHand() {
    // logits (1,2,3), label 2: log(e + e^2 + e^3) - 3 = 0.40760596444; label 0: 2.40760596444
    double[] loss =
        eval(
            tf ->
                Losses.softmaxCrossEntropy(
                    tf,
                    tf.constant(new float[][] {{1, 2, 3}, {1, 2, 3}}),
                    tf.constant(new int[] {2, 0}),
                    3));
    assertArrayEquals(new double[] {0.40760596444, 2.40760596444}, loss, 1e-6);
  }

  @Test
  void softmaxCrossEntropyGradientIsSoftmaxMinusOneHot() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> logits = tf.constant(new float[][] {{1, 2, 3}});
      Operand<TFloat32> loss =
          tf.sum(
              Losses.softmaxCrossEntropy(tf, logits, tf.constant(new int[] {1}), 3),
              tf.constant(0));
      Output<?>[] grad = g.addGradients(loss.asOutput(), new Output<?>[] {logits.asOutput()});
      try (Result r = s.runner().fetch(grad[0]).run()) {
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertArrayEquals(
            new double[] {Math.exp(1) / z, Math.exp(2) / z - 1, Math.exp(3) / z},
            Tensors.read(r.get(0)),
            1e-6);
      }
    }
  }

  @Test
  void correctCountsArgmaxHits() {
    double[] c =
        eval(
            tf ->
                Losses.correctCount(
                    tf,
                    tf.constant(new float[][] {{0, 5, 1}, {2, 1, 0}, {0, 0, 9}}),
                    tf.constant(new int[] {1, 2, 2})));
    assertArrayEquals(new double[] {2}, c);
  }

  @Test
  void dropoutKeepsWithProbabilityOneMinusRateAndRescales() {
    int n = 20_000;
    BiFunction<Ops, Long, Operand<TFloat32>> drop =
        (tf, seed) ->
            Dropout.apply(
                tf,
                tf.fill(tf.constant(new int[] {n}), tf.constant(1f)),
                0.3,
                tf.constant(new long[] {seed, 0}));
    double[] y = eval(tf -> drop.apply(tf, 7L));
    long kept = 0;
    for (double v : y) {
      assertTrue(
          v == 0 || Math.abs(v - 1 / 0.7) < 1e-6,
          "dropout output must be 0 or 1/(1-rate), got " + v);
      if (v != 0) kept++;
    }
    // 0.7 n = 14000 kept; binomial sd = sqrt(n 0.7 0.3) = 65
    assertEquals(14_000, kept, 5 * 65);
    assertArrayEquals(y, eval(tf -> drop.apply(tf, 7L)), "same seed, same mask");
    assertTrue(
        !java.util.Arrays.equals(y, eval(tf -> drop.apply(tf, 8L))), "another seed, another mask");
  }

  @Test
  void dropoutRejectsRatesOutsideZeroToOne() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      assertThrows(
          IllegalArgumentException.class,
          () ->
              Dropout.apply(tf, tf.constant(new float[] {1}), 1.0, tf.constant(new long[] {1, 1})));
    }
  }

  @Test
  void seedStreamGivesDistinctSeeds() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      SeedStream seeds = new SeedStream(tf.constant(new long[] {42, 7}));
      List<Operand<org.tensorflow.types.TInt32>> drawn = List.of(seeds.next(tf), seeds.next(tf));
      try (Result r = s.runner().fetch(drawn.get(0)).fetch(drawn.get(1)).run()) {
        org.tensorflow.types.TInt32 a = (org.tensorflow.types.TInt32) r.get(0);
        org.tensorflow.types.TInt32 b = (org.tensorflow.types.TInt32) r.get(1);
        assertEquals(43, a.getInt(0));
        assertEquals(44, b.getInt(0));
        assertEquals(7, b.getInt(1));
      }
    }
  }

  @Test
  void batchShapeFollowsTheInput() {
    double[] shape =
        eval(
            tf ->
                tf.dtypes.cast(
                    Shapes.withBatch(
                        tf,
                        Shapes.batchSize(
                            tf, tf.zeros(tf.constant(new int[] {5, 2}), TFloat32.class)),
                        3,
                        4),
                    TFloat64.class));
    assertArrayEquals(new double[] {5, 3, 4}, shape);
  }
}
