package engram.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/** Classification losses and counts. */
public final class Losses {

  private Losses() {}

  /**
   * Per-example softmax cross-entropy {@code -sum_c y_c log softmax(logits)_c} of logits {@code
   * [B,C]} against integer labels {@code [B]}, through {@code SoftmaxCrossEntropyWithLogits} on
   * one-hot labels: the sparse op has no C++ gradient. That op's C++ gradient builds only for
   * float32 (it mixes in a float32 constant), so float64 composes {@code -sum(onehot *
   * LogSoftmax(logits))}, whose gradient builds for both.
   */
  public static <T extends TFloating> Operand<T> softmaxCrossEntropy(
      Ops tf, Operand<T> logits, Operand<TInt32> labels, int numClasses) {
    Class<T> type = logits.type();
    Operand<T> oneHot =
        tf.oneHot(
            labels, tf.constant(numClasses), Scalars.of(tf, 1.0, type), Scalars.of(tf, 0.0, type));
    if (type == TFloat32.class) {
      return tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss();
    }
    return tf.math.neg(tf.sum(tf.math.mul(oneHot, tf.nn.logSoftmax(logits)), tf.constant(-1)));
  }

  /** Number of rows whose arg-max logit equals the label, as a scalar of the logits' type. */
  public static <T extends TFloating> Operand<T> correctCount(
      Ops tf, Operand<T> logits, Operand<TInt32> labels) {
    Operand<TInt32> predicted = tf.math.argMax(logits, tf.constant(-1), TInt32.class);
    Operand<T> hits = tf.dtypes.cast(tf.math.equal(predicted, labels), logits.type());
    return tf.sum(hits, tf.constant(0));
  }
}
