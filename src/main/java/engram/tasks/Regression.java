package engram.tasks;

import engram.data.Batch;
import engram.ops.Scalars;
import java.util.Arrays;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Float targets: mean squared error per example, {@code mean_i (out_i - y_i)^2} over the target's
 * elements (Keras' {@code mse}); no accuracy.
 */
public record Regression(int[] shape) implements Task {

  public Regression {
    shape = shape.clone();
  }

  @Override
  public Operand<?> placeholder(Ops tf) {
    return tf.withName("y").placeholder(TFloat32.class, Placeholder.shape(Shape.of(batched(-1))));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends TFloating> Scores<T> score(Ops tf, Operand<T> outputs, Operand<?> targets) {
    // The targets arrive as float32; a float64 graph scores against their widened values.
    Operand<T> y =
        targets.type() == outputs.type()
            ? (Operand<T>) targets
            : tf.dtypes.cast(targets, outputs.type());
    Operand<T> rows = tf.reshape(tf.math.squaredDifference(outputs, y), rowShape(tf));
    Operand<T> perExample = tf.math.mean(rows, tf.constant(1));
    Operand<T> count = tf.dtypes.cast(tf.size(perExample), outputs.type());
    return new Scores<>(
        tf.withName("loss").math.mean(perExample, tf.constant(0)),
        tf.withName("loss_sum").sum(perExample, tf.constant(0)),
        count,
        Scalars.of(tf, 0, outputs.type()));
  }

  private Operand<TInt64> rowShape(Ops tf) {
    return tf.constant(new long[] {-1, Arrays.stream(shape).reduce(1, (a, b) -> a * b)});
  }

  private long[] batched(long batch) {
    long[] dims = new long[shape.length + 1];
    dims[0] = batch;
    for (int i = 0; i < shape.length; i++) {
      dims[i + 1] = shape[i];
    }
    return dims;
  }

  @Override
  public Tensor tensor(Batch batch) {
    int n = batch.size();
    int size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    return TFloat32.tensorOf(
        Shape.of(batched(n)), DataBuffers.of(batch.targetValues(), true, false).narrow(n * size));
  }

  @Override
  public String unit() {
    return "example";
  }

  @Override
  public String describe(double meanLoss, double accuracy) {
    return String.format(Locale.ROOT, "mse %.5f", meanLoss);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Regression r && Arrays.equals(shape, r.shape);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "Regression" + Arrays.toString(shape);
  }
}
