package engram.nn;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;

/**
 * A model variable: a {@code VariableV2} (the kind TF-Java's saver writes) plus the identity op
 * through which the graph reads it.
 *
 * <p>All computation uses {@link #value()}, never the variable itself: differentiating ops such as
 * {@code Square} applied directly to a {@code VariableV2} crashes TF-Java 1.1.0 (tfjava.md §7), and
 * gradients are taken with respect to this read. Tests may feed {@link #value()} to run the graph
 * on chosen weights without touching the variable.
 *
 * <p>In mixed precision a parameter is a view: {@link #value()} is a cast (to bfloat16) of its
 * {@link #master()}'s read, and the master holds the float32 variable that optimizers, checkpoints
 * and weight import see.
 */
public final class Param<T extends TFloating> {

  private final String name;
  private final long[] shape;
  private final boolean trainable;
  private final Variable<T> variable;
  private final Operand<T> value;
  private final Param<? extends TFloating> master;

  Param(String name, long[] shape, boolean trainable, Variable<T> variable, Operand<T> value) {
    this(name, shape, trainable, variable, value, null);
  }

  private Param(
      String name,
      long[] shape,
      boolean trainable,
      Variable<T> variable,
      Operand<T> value,
      Param<? extends TFloating> master) {
    this.name = name;
    this.shape = shape.clone();
    this.trainable = trainable;
    this.variable = variable;
    this.value = value;
    this.master = master;
  }

  /** A view of {@code master} whose value is {@code value}, the master's read cast to {@code T}. */
  static <T extends TFloating> Param<T> view(Param<? extends TFloating> master, Operand<T> value) {
    return new Param<>(master.name, master.shape, master.trainable, null, value, master);
  }

  /** Full scoped name, e.g. {@code enn/input_encoder/kernel}; also the variable's op name. */
  public String name() {
    return name;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** Number of scalars. */
  public long size() {
    return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }

  /** Whether the optimizer updates it. */
  public boolean trainable() {
    return trainable;
  }

  /** The variable, for assignment by optimizers. A view has none: use {@link #master()}'s. */
  public Variable<T> variable() {
    if (variable == null) {
      throw new IllegalStateException(
          name + " is a " + value.type().getSimpleName() + " view: its variable is master()'s");
    }
    return variable;
  }

  /** The parameter that holds the variable: this one, or the float32 one a view reads. */
  public Param<? extends TFloating> master() {
    return master == null ? this : master;
  }

  /** {@code variable -= delta}, cast to the variable's type when this is a view. */
  public org.tensorflow.op.Op assignSub(org.tensorflow.op.Ops tf, Operand<T> delta) {
    return master == null ? tf.assignSub(variable, delta) : assignSubCast(tf, master, delta);
  }

  private static <M extends TFloating> org.tensorflow.op.Op assignSubCast(
      org.tensorflow.op.Ops tf, Param<M> to, Operand<? extends TFloating> delta) {
    return tf.assignSub(to.variable(), tf.dtypes.cast(delta, to.value().type()));
  }

  /** The value as read by the model (an identity of the variable). */
  public Operand<T> value() {
    return value;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + (trainable ? "" : " (non-trainable)");
  }

  /**
   * Keras' {@code l2(rate)} penalty of {@code params}: {@code rate * sum_p sum(p^2)}, the squared
   * sums added in list order.
   */
  public static <T extends TFloating> Operand<T> l2(
      org.tensorflow.op.Ops tf, double rate, java.util.List<Param<T>> params) {
    Operand<T> sum = null;
    for (Param<T> p : params) {
      int[] axes = new int[p.shape().length];
      for (int i = 0; i < axes.length; i++) {
        axes[i] = i;
      }
      // A view's squares are summed from its float32 master: bfloat16 sums lose the small terms.
      Operand<T> squares =
          p.master == null
              ? squareSum(tf, p.value(), axes)
              : tf.dtypes.cast(squareSum(tf, p.master.value(), axes), p.value().type());
      sum = sum == null ? squares : tf.math.add(sum, squares);
    }
    return tf.math.mul(engram.ops.Scalars.of(tf, rate, sum.type()), sum);
  }

  private static <M extends TFloating> Operand<M> squareSum(
      org.tensorflow.op.Ops tf, Operand<M> x, int[] axes) {
    return tf.sum(tf.math.square(x), tf.constant(axes));
  }
}
