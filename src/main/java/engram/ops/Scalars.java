package engram.ops;

import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/** Scalar constants in the graph's floating type. */
public final class Scalars {

  private Scalars() {}

  /**
   * {@code value} as a scalar constant of {@code type}. For float32 the double is rounded to the
   * nearest float, which is exactly what Python does when a Python float meets a float32 tensor; so
   * callers compute constants such as {@code 1 - eta} in double first, as the reference does.
   */
  @SuppressWarnings("unchecked")
  public static <T extends TFloating> Operand<T> of(Ops tf, double value, Class<T> type) {
    if (type == TFloat32.class) {
      return (Operand<T>) tf.constant((float) value);
    }
    if (type == TFloat64.class) {
      return (Operand<T>) tf.constant(value);
    }
    if (reduced(type)) { // rounded to float, then to the 16-bit type
      return (Operand<T>) tf.dtypes.cast(tf.constant((float) value), type);
    }
    throw new IllegalArgumentException(
        "engram graphs are float32, float64, bfloat16 or float16, got " + type.getSimpleName());
  }

  /**
   * Whether {@code type} is a 16-bit type of mixed precision (bfloat16, float16), whose statistics
   * (LayerNorm's, softmax's, the ENN's cosines) are taken in float32.
   */
  public static boolean reduced(Class<?> type) {
    return type == org.tensorflow.types.TBfloat16.class
        || type == org.tensorflow.types.TFloat16.class;
  }

  /** A scalar tensor of {@code type} holding {@code value}; the caller closes it. */
  public static TFloating tensor(double value, Class<? extends TFloating> type) {
    if (type == TFloat32.class) {
      return TFloat32.scalarOf((float) value);
    }
    if (type == TFloat64.class) {
      return TFloat64.scalarOf(value);
    }
    throw new IllegalArgumentException(
        "engram graphs are float32 or float64, got " + type.getSimpleName());
  }

  /** The value of a float32 or float64 scalar tensor. */
  public static double read(Tensor t) {
    if (t instanceof TFloat64 d) {
      return d.getDouble();
    }
    return ((TFloat32) t).getFloat();
  }
}
