package engram.tasks;

import engram.data.Batch;
import engram.ops.Losses;
import engram.ops.Scalars;
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
 * Next-token prediction: per-step logits {@code [B, T, V]} against the next tokens {@code [B, T]}.
 *
 * <pre>
 *   NLL_t = -log softmax(logits_t)[y_t]          per scored token (y_t != IGNORE)
 *   loss  = sum_t NLL_t / #scored                the training objective (nats per token)
 *   perplexity = exp(sum over a split of NLL_t / #scored tokens of the split)
 * </pre>
 *
 * Perplexity is taken from a whole split's sums, never averaged over batches.
 */
public record LanguageModelling(int steps, int vocabulary) implements Task {

  @Override
  public Operand<?> placeholder(Ops tf) {
    return tf.withName("y").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, steps)));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends TFloating> Scores<T> score(Ops tf, Operand<T> outputs, Operand<?> targets) {
    Class<T> type = outputs.type();
    Operand<TInt32> y = tf.reshape((Operand<TInt32>) targets, tf.constant(new long[] {-1}));
    Operand<T> logits = tf.reshape(outputs, tf.constant(new long[] {-1, vocabulary}));
    Operand<T> scored = tf.dtypes.cast(tf.math.greaterEqual(y, tf.constant(0)), type);
    // Padding's target is Target.IGNORE (< 0): score it as class 0, then mask it out.
    Operand<TInt32> safe = tf.math.maximum(y, tf.constant(0));
    Operand<T> nll = tf.math.mul(Losses.softmaxCrossEntropy(tf, logits, safe, vocabulary), scored);
    Operand<T> lossSum = tf.withName("loss_sum").sum(nll, tf.constant(0));
    Operand<T> count = tf.sum(scored, tf.constant(0));
    Operand<TInt32> predicted = tf.math.argMax(logits, tf.constant(-1), TInt32.class);
    Operand<T> hits = tf.math.mul(tf.dtypes.cast(tf.math.equal(predicted, y), type), scored);
    return new Scores<>(
        tf.withName("loss").math.div(lossSum, tf.math.maximum(count, Scalars.of(tf, 1, type))),
        lossSum,
        count,
        tf.sum(hits, tf.constant(0)));
  }

  @Override
  public Tensor tensor(Batch batch) {
    int n = batch.size();
    return TInt32.tensorOf(
        Shape.of(n, steps), DataBuffers.of(batch.targets(), true, false).narrow(n * steps));
  }

  @Override
  public String unit() {
    return "token";
  }

  @Override
  public String describe(double meanLoss, double accuracy) {
    return String.format(
        Locale.ROOT, "nll %.4f ppl %.2f acc %.4f", meanLoss, Math.exp(meanLoss), accuracy);
  }
}
