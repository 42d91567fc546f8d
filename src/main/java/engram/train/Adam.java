package engram.train;

import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Scalars;
import engram.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Adam with the semantics of Keras 3 ({@code keras/src/optimizers/adam.py}, {@code clipnorm} from
 * {@code base_optimizer.py}). For each variable w with gradient g, at iteration k (1-based):
 *
 * <pre>
 *  (1) g     = g * c / max(||g||_2, c)                 per-variable clipnorm c (if c > 0)
 *  (2) alpha = lr * sqrt(1 - beta2^k) / (1 - beta1^k)   beta^k by Pow, in the graph's type
 *  (3) m     = m + (g - m) * (1 - beta1)
 *  (4) v     = v + (g^2 - v) * (1 - beta2)
 *  (5) w     = w - (m * alpha) / (sqrt(v) + epsilon)
 * </pre>
 *
 * Steps (2)-(5) run as TensorFlow's fused {@code ApplyAdam}, which forms {@code 1 - beta} in
 * float32 from the float32 betas (1 - 0.999f = 0.00099998713; Keras uses float32(0.001)).
 *
 * <p>Defaults beta1 0.9, beta2 0.999, epsilon 1e-7 (Keras; TF-Java's own Adam uses 1e-8). The
 * learning rate is an operand, fed each step, so schedules need no graph rebuild. Slots live in
 * variables {@code adam/<param>/m}, {@code adam/<param>/v} and the step counter in {@code
 * adam/iterations}, so checkpoints carry the optimizer state.
 */
public final class Adam<T extends TFloating> {

  public static final double BETA_1 = 0.9;
  public static final double BETA_2 = 0.999;
  public static final double EPSILON = 1e-7;

  private final List<Param<T>> params;
  private final List<Param<T>> m = new ArrayList<>();
  private final List<Param<T>> v = new ArrayList<>();
  private final Variable<TInt64> iterations;
  private final double clipnorm;
  private final Class<T> type;

  /**
   * Creates the slots for {@code params} in {@code tf}'s graph.
   *
   * @param clipnorm per-variable gradient-norm cap; 0 disables clipping
   */
  public Adam(Ops tf, List<Param<T>> params, Class<T> type, double clipnorm) {
    if (!(clipnorm >= 0)) {
      throw new IllegalArgumentException("clipnorm must be >= 0 (0 = off), got " + clipnorm);
    }
    this.params = List.copyOf(params);
    this.clipnorm = clipnorm;
    this.type = type;
    ParamSet<T> slots = ParamSet.create(tf, type, 0).child("adam");
    for (Param<T> p : this.params) {
      ParamSet<T> scope = slots;
      for (String segment : p.name().split("/")) {
        scope = scope.child(segment);
      }
      m.add(scope.create("m", Initializer.zeros(), false, p.shape()));
      v.add(scope.create("v", Initializer.zeros(), false, p.shape()));
    }
    Ops init = tf.withSubScope("adam").withInitScope();
    this.iterations = init.withName("iterations").variable(init.constant(0L));
  }

  /** The completed-step counter (int64). */
  public Variable<TInt64> iterations() {
    return iterations;
  }

  /**
   * One update of every parameter from {@code gradients} (same order as the parameters). Build it
   * with {@code tf} gated on the gradients: the model reads variables through identities that alias
   * their buffers, so no assignment may run before every read is done.
   */
  public Op update(Ops tf, List<? extends Operand<T>> gradients, Operand<T> learningRate) {
    if (gradients.size() != params.size()) {
      throw new IllegalArgumentException(
          "got " + gradients.size() + " gradients for " + params.size() + " parameters");
    }
    Operand<T> step = tf.dtypes.cast(tf.math.add(tf.identity(iterations), tf.constant(1L)), type);
    Operand<T> beta1 = Scalars.of(tf, BETA_1, type);
    Operand<T> beta2 = Scalars.of(tf, BETA_2, type);
    Operand<T> beta1Power = tf.math.pow(beta1, step);
    Operand<T> beta2Power = tf.math.pow(beta2, step);
    Operand<T> epsilon = Scalars.of(tf, EPSILON, type);
    List<Op> updates = new ArrayList<>();
    Ops pTf = tf.withSubScope("adam_update"); // once: each withSubScope scans the whole graph
    for (int i = 0; i < params.size(); i++) {
      Operand<T> g = clipnorm > 0 ? clipByNorm(pTf, gradients.get(i)) : gradients.get(i); // (1)
      // (2)-(5) in one kernel per variable: TensorFlow's ApplyAdam computes exactly these
      // formulas (alpha from the beta powers, then m, v and w in place). One op instead of a
      // dozen matters on a GPU, where these updates run outside the XLA-compiled step. The only
      // difference to Keras: 1 - beta is taken in float32 (0.100000024 instead of 0.1f).
      updates.add(
          pTf.train.applyAdam(
              params.get(i).variable(),
              m.get(i).variable(),
              v.get(i).variable(),
              beta1Power,
              beta2Power,
              learningRate,
              beta1,
              beta2,
              epsilon,
              g));
    }
    Op counted = tf.withControlDependencies(updates).assignAdd(iterations, tf.constant(1L));
    return tf.withControlDependencies(List.of(counted)).withName("train_step").noOp();
  }

  /**
   * Keras {@code clip_by_norm}: {@code g * c / max(||g||, c)}, with the two-sided where() that
   * keeps the norm's gradient finite at g = 0.
   */
  private Operand<T> clipByNorm(Ops tf, Operand<T> g) {
    Operand<T> squareSum =
        tf.sum(
            tf.math.square(g),
            tf.constant(Shapes.allAxes(g, "clipnorm needs gradients of known rank")));
    Operand<org.tensorflow.types.TBool> positive =
        tf.math.greater(squareSum, Scalars.of(tf, 0.0, type));
    Operand<T> safe = tf.select(positive, squareSum, Scalars.of(tf, 1.0, type));
    Operand<T> norm = tf.select(positive, tf.math.sqrt(safe), squareSum);
    Operand<T> c = Scalars.of(tf, clipnorm, type);
    return tf.math.div(tf.math.mul(g, c), tf.math.maximum(norm, c));
  }
}
