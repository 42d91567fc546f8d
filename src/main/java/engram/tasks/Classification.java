package engram.tasks;

import engram.data.Batch;
import engram.ops.Losses;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * One class per example: softmax cross-entropy of logits {@code [B, C]} against labels {@code [B]}
 * (Keras' {@code sparse_categorical_crossentropy} from logits), and accuracy.
 */
public record Classification(int classes) implements Task {

  @Override
  public Operand<?> placeholder(Ops tf) {
    return tf.withName("y").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends TFloating> Scores<T> score(Ops tf, Operand<T> outputs, Operand<?> targets) {
    Operand<TInt32> labels = (Operand<TInt32>) targets;
    Operand<T> losses = Losses.softmaxCrossEntropy(tf, outputs, labels, classes);
    Operand<T> count = tf.dtypes.cast(tf.size(labels), outputs.type());
    return new Scores<>(
        tf.withName("loss").math.mean(losses, tf.constant(0)),
        tf.withName("loss_sum").sum(losses, tf.constant(0)),
        count,
        Losses.correctCount(tf, outputs, labels));
  }

  /**
   * The arg-max class of row {@code row} of row-major {@code logits [*, classes]} (the first, on
   * ties).
   */
  public static int argMax(float[] logits, int row, int classes) {
    int at = row * classes;
    int best = 0;
    for (int k = 1; k < classes; k++) {
      if (logits[at + k] > logits[at + best]) {
        best = k;
      }
    }
    return best;
  }

  @Override
  public Tensor tensor(Batch batch) {
    int n = batch.size();
    return TInt32.tensorOf(Shape.of(n), DataBuffers.of(batch.targets(), true, false).narrow(n));
  }

  @Override
  public String unit() {
    return "example";
  }

  @Override
  public String describe(double meanLoss, double accuracy) {
    return String.format(Locale.ROOT, "loss %.4f acc %.4f", meanLoss, accuracy);
  }
}
