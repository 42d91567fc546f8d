package engram.tasks;

import engram.data.Batch;
import engram.data.Target;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The loss and metrics of one kind of target. Scores are sums over the batch's scored units
 * (examples, or tokens for a language model), so batches and windows add up exactly and a split's
 * mean is its total over its count, whatever the batch size.
 */
public interface Task {

  /**
   * What a batch contributes.
   *
   * @param objective the training loss: the mean over the scored units
   * @param lossSum the loss summed over the scored units (nats)
   * @param count the scored units
   * @param correct units predicted right (arg-max), for accuracy; 0 where it has no meaning
   */
  record Scores<T extends TFloating>(
      Operand<T> objective, Operand<T> lossSum, Operand<T> count, Operand<T> correct) {

    /**
     * What a run fetches to score a batch, in this order: the loss (the mean {@code objective} when
     * {@code mean}, else {@code lossSum}), {@code count}, {@code correct}.
     */
    public List<Operand<T>> fetches(boolean mean) {
      return List.of(mean ? objective : lossSum, count, correct);
    }
  }

  /** A placeholder for a batch of targets, named {@code y}. */
  Operand<?> placeholder(Ops tf);

  /**
   * The scores of {@code outputs} against {@code targets} (this task's placeholder or a feed), in
   * the outputs' floating type (float64 graphs score in float64).
   */
  <T extends TFloating> Scores<T> score(Ops tf, Operand<T> outputs, Operand<?> targets);

  /** The targets of {@code batch} as a tensor for {@link #placeholder}; the caller closes it. */
  Tensor tensor(Batch batch);

  /** What one scored unit is: {@code example} or {@code token}. */
  String unit();

  /** One log fragment for a mean loss and accuracy, e.g. {@code loss 0.1234 acc 0.9620}. */
  String describe(double meanLoss, double accuracy);

  /** The task that scores {@code target}. */
  static Task of(Target target) {
    return switch (target.kind()) {
      case CLASS -> new Classification(target.classes());
      case CLASS_PER_STEP -> new LanguageModelling(target.shape()[0], target.classes());
      case VALUES -> new Regression(target.shape());
    };
  }
}
