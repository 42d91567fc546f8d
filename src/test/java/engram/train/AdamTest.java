package engram.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Adam steps against hand-computed values and a float64 transcription of Keras 3's update rule. */
class AdamTest {

  /**
   * Minimises {@code loss = sum(w * c) + 0.5 sum(w^2)} (gradient {@code c + w}) from {@code w0} and
   * returns w after each of {@code steps} steps, learning rate {@code lrs[k]} at step k.
   */
  static double[][] run(double[] w0, double[] c, double clipnorm, double[] lrs) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamSet<TFloat32> params = ParamSet.create(tf, TFloat32.class, 0);
      Param<TFloat32> w = params.create("w", Initializer.zeros(), true, w0.length);
      Operand<TFloat32> loss =
          tf.math.add(
              tf.sum(
                  tf.math.mul(w.value(), tf.dtypes.cast(tf.constant(c), TFloat32.class)),
                  tf.constant(0)),
              tf.math.mul(
                  tf.constant(0.5f), tf.sum(tf.math.mul(w.value(), w.value()), tf.constant(0))));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {w.value().asOutput()});
      @SuppressWarnings("unchecked")
      Operand<TFloat32> grad = (Operand<TFloat32>) grads[0];
      Placeholder<TFloat32> lr = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Adam<TFloat32> adam = new Adam<>(tf, List.of(w), TFloat32.class, clipnorm);
      Op step = adam.update(tf.withControlDependencies(List.of(grad)), List.of(grad), lr);
      Op set = tf.assign(w.variable(), tf.dtypes.cast(tf.constant(w0), TFloat32.class));
      try (Session s = new Session(g)) {
        s.runner().addTarget(set).run();
        double[][] out = new double[lrs.length][];
        for (int k = 0; k < lrs.length; k++) {
          try (TFloat32 lrt = TFloat32.scalarOf((float) lrs[k])) {
            s.runner().feed(lr, lrt).addTarget(step).run();
          }
          try (Result r = s.runner().fetch(w.value()).run()) {
            out[k] = Tensors.read(r.get(0));
          }
        }
        return out;
      }
    }
  }

  @Test
  void firstStepMovesEachWeightByTheLearningRate() {
    // Step 1: m = 0.1 g, v = 0.001 g^2, alpha = lr sqrt(0.001) / 0.1, so the update is
    // lr * g / (|g| + 1e-7 / sqrt(0.001)) = lr * sign(g) up to 3e-6 relative.
    double[][] w = run(new double[] {1, -2}, new double[] {3, 4}, 0, new double[] {0.01});
    // gradient c + w = (4, 2): both positive
    assertArrayEquals(new double[] {0.99, -2.01}, w[0], 1e-6);
  }

  @Test
  void clipnormScalesTheWholeGradientPerVariable() {
    // Step 1: g = c + w = (3, -4), norm 5, clipped to (0.6, -0.8); Adam moves w by lr * sign(g)
    // to (-3, 3). Step 2: g = (0, -1), norm 1, not clipped. m and v now mix a clipped and an
    // unclipped gradient, so the second update shows whether the clip was applied.
    double[] w0 = {0, 0};
    double[] c = {3, -4};
    double[] lrs = {3.0, 0.1};
    double[][] clipped = run(w0, c, 1.0, lrs);
    assertArrayEquals(new double[] {-3, 3}, clipped[0], 1e-4);
    double[][] reference = keras(w0, c, 1.0, lrs);
    assertArrayEquals(reference[1], clipped[1], 1e-6);
    double[][] unclipped = keras(w0, c, 0, lrs);
    assertEquals(
        true, Math.abs(unclipped[1][1] - reference[1][1]) > 1e-2, "the clip must matter here");
  }

  @Test
  void threeStepsWithAChangingLearningRateMatchKeras() {
    double[] w0 = {0.5, -1.5, 2.0};
    double[] c = {1.0, 0.25, -3.0};
    double[] lrs = {0.05, 0.02, 0.1};
    double[][] actual = run(w0, c, 0.7, lrs);
    double[][] expected = keras(w0, c, 0.7, lrs);
    for (int k = 0; k < lrs.length; k++) {
      assertArrayEquals(expected[k], actual[k], 2e-6, "step " + (k + 1));
    }
  }

  /** Keras 3 Adam (with clip_by_norm) in doubles on the same quadratic. */
  static double[][] keras(double[] w0, double[] c, double clipnorm, double[] lrs) {
    int n = w0.length;
    double[] w = w0.clone();
    double[] m = new double[n];
    double[] v = new double[n];
    double[][] out = new double[lrs.length][];
    for (int k = 1; k <= lrs.length; k++) {
      double[] g = new double[n];
      double norm = 0;
      for (int i = 0; i < n; i++) {
        g[i] = c[i] + w[i];
        norm += g[i] * g[i];
      }
      norm = Math.sqrt(norm);
      if (clipnorm > 0) {
        for (int i = 0; i < n; i++) {
          g[i] = g[i] * clipnorm / Math.max(norm, clipnorm);
        }
      }
      // Keras raises float32 betas with a float32 Pow; 1 - beta2^k then cancels to ~1e-5
      // relative precision, so the reference rounds the powers to float32 the same way.
      double beta1Power = (float) Math.pow((float) 0.9, k);
      double beta2Power = (float) Math.pow((float) 0.999, k);
      double alpha = lrs[k - 1] * Math.sqrt(1 - beta2Power) / (1 - beta1Power);
      // engram runs TensorFlow's fused ApplyAdam, which forms 1 - beta in float32 from the
      // float32 betas: 1 - 0.999f = 0.00099998713 where Keras uses float32(0.001), a 1.3e-5
      // relative difference in v's rate. The reference takes the float32 constants.
      double oneMinusBeta1 = 1f - 0.9f;
      double oneMinusBeta2 = 1f - 0.999f;
      for (int i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * oneMinusBeta1;
        v[i] += (g[i] * g[i] - v[i]) * oneMinusBeta2;
        w[i] -= m[i] * alpha / (Math.sqrt(v[i]) + 1e-7);
      }
      out[k - 1] = w.clone();
    }
    return out;
  }
}
