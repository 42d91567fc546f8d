package engram.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Mat;
import engram.testing.Tensors;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Keras initializer distributions (limits, moments, orthogonality) and ParamSet behaviour. The
 * expected moments follow from the distributions: U(-l, l) has variance l^2/3; a unit normal
 * truncated at +-2 has sd 0.8796, which Keras divides out.
 */
class InitializerTest {

  static double[] initialValue(Initializer init, long seed, long... shape) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Param<TFloat64> p = ParamSet.create(tf, TFloat64.class, seed).create("w", init, true, shape);
      try (Session s = new Session(g);
          Result r = s.runner().fetch(p.value()).run()) {
        return Tensors.read(r.get(0));
      }
    }
  }

  static double mean(double[] v) {
    return Arrays.stream(v).average().orElseThrow();
  }

  static double variance(double[] v) {
    double m = mean(v);
    return Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / v.length;
  }

  @Test
  void glorotUniformSpansPlusMinusLimit() {
    double[] w = initialValue(Initializer.glorotUniform(), 1, 300, 500);
    double limit = Math.sqrt(6.0 / 800);
    assertTrue(Arrays.stream(w).allMatch(x -> Math.abs(x) <= limit), "all within +-limit");
    assertTrue(Arrays.stream(w).min().orElseThrow() < -0.99 * limit, "negative side is used");
    assertTrue(Arrays.stream(w).max().orElseThrow() > 0.99 * limit, "positive side is used");
    assertEquals(0, mean(w), 5 * limit / Math.sqrt(3 * w.length));
    assertEquals(limit * limit / 3, variance(w), 0.02 * limit * limit / 3);
  }

  @Test
  void heNormalIsTruncatedAtTwoSigmaWithKerasVariance() {
    double[] w = initialValue(Initializer.heNormal(), 2, 400, 300);
    double sigma = Math.sqrt(2.0 / 400) / 0.87962566103423978;
    assertTrue(Arrays.stream(w).allMatch(x -> Math.abs(x) <= 2 * sigma + 1e-12), "cut at 2 sigma");
    // Keras' correction makes the truncated variance equal 2 / fan_in.
    assertEquals(2.0 / 400, variance(w), 0.02 * 2.0 / 400);
  }

  @Test
  void orthogonalWideAndTallMatricesAreOrthonormal() {
    // Wide (rows < cols), as the (U, 4U) recurrent kernel of an LSTM: rows orthonormal.
    double[] wide = initialValue(Initializer.orthogonal(), 3, 8, 32);
    assertArrayEquals(identity(8), Mat.matmulT(wide, wide, 8, 32, 8), 1e-12);
    // Tall: columns orthonormal.
    double[] tall = initialValue(Initializer.orthogonal(), 4, 32, 8);
    double[] t = transpose(tall, 32, 8);
    assertArrayEquals(identity(8), Mat.matmulT(t, t, 8, 32, 8), 1e-12);
  }

  @Test
  void unitForgetBiasBlocks() {
    Initializer bias =
        new Initializer.Blocks(
            List.of(
                Initializer.zeros(), Initializer.ones(), Initializer.zeros(), Initializer.zeros()));
    assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 0, 0}, initialValue(bias, 5, 8));
    assertThrows(IllegalArgumentException.class, () -> initialValue(bias, 5, 6));
  }

  @Test
  void sameSeedSameWeightsOtherSeedOtherWeights() {
    assertArrayEquals(
        initialValue(Initializer.glorotUniform(), 9, 4, 4),
        initialValue(Initializer.glorotUniform(), 9, 4, 4));
    assertTrue(
        !Arrays.equals(
            initialValue(Initializer.glorotUniform(), 9, 4, 4),
            initialValue(Initializer.glorotUniform(), 10, 4, 4)));
  }

  @Test
  void paramSetNamesAndRejectsDuplicates() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamSet<TFloat32> params = ParamSet.create(tf, TFloat32.class, 0);
      Param<TFloat32> k =
          params.child("lstm").create("kernel", Initializer.glorotUniform(), true, 3, 4);
      params.child("lstm").create("state", Initializer.zeros(), false, 2);
      assertEquals("lstm/kernel", k.name());
      assertEquals(
          "lstm/kernel",
          k.variable().op().name(),
          "variable op name = parameter name (checkpoint key)");
      assertEquals(1, params.trainable().size());
      assertEquals(12, params.trainableCount());
      assertThrows(
          IllegalArgumentException.class,
          () -> params.child("lstm").create("kernel", Initializer.zeros(), true, 1));
      assertThrows(IllegalArgumentException.class, () -> params.child("a/b"));
    }
  }

  private static double[] identity(int n) {
    double[] id = new double[n * n];
    for (int i = 0; i < n; i++) id[i * n + i] = 1;
    return id;
  }

  private static double[] transpose(double[] a, int rows, int cols) {
    double[] t = new double[a.length];
    for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
    return t;
  }
}
