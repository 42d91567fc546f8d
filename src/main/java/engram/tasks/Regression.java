package engram.tasks;

import engram.data.Batch;
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
  public Scores score(Ops tf, Operand<TFloat32> outputs, Operand<?> targets) {
    Operand<TFloat32> y = (Operand<TFloat32>) targets;
    Operand<TFloat32> rows = tf.reshape(tf.math.squaredDifference(outputs, y), rowShape(tf));
    Operand<TFloat32> perExample = tf.math.mean(rows, tf.constant(1));
    Operand<TFloat32> count = tf.dtypes.cast(tf.size(perExample), TFloat32.class);
    return new Scores(
        tf.withName("loss").math.mean(perExample, tf.constant(0)),
        tf.withName("loss_sum").sum(perExample, tf.constant(0)),
        count,
        tf.constant(0f));
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
