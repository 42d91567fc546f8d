package engram.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Dynamic loss scaling for float16 mixed precision, as Keras 3's {@code LossScaleOptimizer}:
 * float16 has 5 exponent bits (smallest normal 6.1e-5), so the small gradients of the float16
 * activations would flush to zero; the loss is multiplied by a scale S before differentiation and
 * the gradients divided by it after. Per step:
 *
 * <pre>
 *  (1) g      = grad(S * loss) / S
 *  (2) finite = all(isfinite(g))
 *  (3) finite:     Adam applies g; n = n + 1; when n = 2000: S = 2 S, n = 0
 *      not finite: the update is skipped (weights, Adam's slots and iteration count unchanged);
 *                  S = S / 2, n = 0
 * </pre>
 *
 * S starts at 2^15 (Keras' {@code initial_scale}); 2000 is Keras' {@code dynamic_growth_steps}. The
 * skipped steps are counted for the log. The skip is TensorFlow's dataflow switch: each gradient
 * reaches Adam through the true output of a {@code Switch} on (2), so when a gradient overflowed no
 * update op runs at all. S and n are variables, so checkpoints keep them and a resumed run scales
 * as the uninterrupted one.
 */
final class LossScale {

  static final double INITIAL_SCALE = 32768;
  static final long GROWTH_STEPS = 2000;

  private final Variable<TFloat32> scale;
  private final Variable<TInt64> goodSteps;
  private final Variable<TInt64> skipped;

  LossScale(Ops tf) {
    Ops init = tf.withSubScope("loss_scale").withInitScope();
    scale = init.withName("scale").variable(init.constant((float) INITIAL_SCALE));
    goodSteps = init.withName("good_steps").variable(init.constant(0L));
    skipped = init.withName("skipped_steps").variable(init.constant(0L));
  }

  /** The scale S and the steps skipped so far (the log reports them): one run fetches both. */
  double[] state(org.tensorflow.Session session) {
    try (org.tensorflow.Result r = session.runner().fetch(scale).fetch(skipped).run()) {
      return new double[] {((TFloat32) r.get(0)).getFloat(), ((TInt64) r.get(1)).getLong()};
    }
  }

  /** The current scale S. */
  Variable<TFloat32> scale() {
    return scale;
  }

  /** Finite steps since the scale last changed, n. */
  Variable<TInt64> goodSteps() {
    return goodSteps;
  }

  /**
   * What a step applies: the gradients (present only when all are finite) and the op that updates S
   * and n, which runs every step.
   */
  record Scaled<T extends TFloating>(List<Operand<T>> gradients, Op update) {}

  /** S, read through an identity, in {@code type}: multiply the objective by it. */
  <T extends TFloating> Operand<T> read(Ops tf, Class<T> type) {
    return tf.dtypes.cast(tf.withName("loss_scale_read").identity(scale), type);
  }

  /** (1)-(3) on the gradients of S * objective, {@code scaleRead} being that S. */
  <T extends TFloating> Scaled<T> unscale(
      Ops tf, Operand<T> scaleRead, List<Operand<T>> scaledGradients) {
    List<Operand<T>> unscaled = new ArrayList<>();
    Operand<TBool> finite = null;
    for (Operand<T> g : scaledGradients) {
      Operand<T> u = tf.math.div(g, scaleRead); // (1)
      unscaled.add(u);
      Operand<TBool> all =
          tf.reduceAll(
              tf.math.isFinite(u),
              tf.constant(
                  engram.ops.Shapes.allAxes(u, "loss scaling needs gradients of known rank")));
      finite = finite == null ? all : tf.math.logicalAnd(finite, all); // (2)
    }
    List<Operand<T>> gated = new ArrayList<>();
    for (Operand<T> u : unscaled) {
      gated.add(tf.switchCond(u, finite).outputTrue()); // (3): dead when not finite
    }
    // (3) for S and n, after every read of S (the divisions above feed `finite`).
    Ops after = tf.withControlDependencies(List.of(finite));
    Operand<TInt64> n = after.math.add(after.identity(goodSteps), after.constant(1L));
    Operand<TBool> grow = after.math.greaterEqual(n, after.constant(GROWTH_STEPS));
    Operand<TFloat32> s = after.identity(scale);
    Operand<TFloat32> nextScale =
        after.select(
            finite,
            after.select(grow, after.math.mul(s, after.constant(2f)), s),
            after.math.div(s, after.constant(2f)));
    Operand<TInt64> nextSteps =
        after.select(
            after.math.logicalAnd(finite, after.math.logicalNot(grow)), n, after.constant(0L));
    Operand<TInt64> k = after.identity(skipped);
    Operand<TInt64> nextSkipped = after.select(finite, k, after.math.add(k, after.constant(1L)));
    Op setScale = after.assign(scale, nextScale);
    Op setSteps = after.assign(goodSteps, nextSteps);
    Op setSkipped = after.assign(skipped, nextSkipped);
    Op update =
        tf.withControlDependencies(List.of(setScale, setSteps, setSkipped))
            .withName("loss_scale_update")
            .noOp();
    return new Scaled<>(gated, update);
  }
}
