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
 */
public final class Param<T extends TFloating> {

  private final String name;
  private final long[] shape;
  private final boolean trainable;
  private final Variable<T> variable;
  private final Operand<T> value;

  Param(String name, long[] shape, boolean trainable, Variable<T> variable, Operand<T> value) {
    this.name = name;
    this.shape = shape.clone();
    this.trainable = trainable;
    this.variable = variable;
    this.value = value;
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

  /** The variable, for assignment by optimizers. */
  public Variable<T> variable() {
    return variable;
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
      Operand<T> squares = tf.sum(tf.math.square(p.value()), tf.constant(axes));
      sum = sum == null ? squares : tf.math.add(sum, squares);
    }
    return tf.math.mul(engram.ops.Scalars.of(tf, rate, sum.type()), sum);
  }
}
