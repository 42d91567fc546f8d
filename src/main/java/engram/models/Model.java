package engram.models;

import engram.cells.NoiseSource;
import engram.ops.SeedStream;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * A model that maps named input tensors (batch-major) to outputs: class logits {@code [B, C]} for a
 * classifier, per-step logits {@code [B, T, V]} for a language model. What the outputs are scored
 * against, and how, is the task's business ({@code engram.tasks}). Its variables are created when
 * it is constructed; {@link #forward} may be called several times (a training and an evaluation
 * path) and they share the variables.
 */
public interface Model<T extends TFloating> {

  /**
   * A forward pass.
   *
   * @param outputs logits, {@code [B, C]} or {@code [B, T, V]}; the softmax lives in the loss
   * @param updates ops to run with every training step, e.g. BatchNorm's moving averages
   * @param memory what the model's memory did, for monitoring and plots: the ENN's {@code trace}
   *     after each step {@code [T, M, H]} and {@code attention} {@code [T, B, M]}; H-Mem's
   *     association {@code memory} after the story {@code [B, m, m]}. Empty for the baselines.
   * @param penalty an activity penalty of this pass (the ENN's attention sparsity), a mean over the
   *     batch that training adds to the loss; null for none
   */
  record Forward<T extends TFloating>(
      Operand<T> outputs, List<Op> updates, Map<String, Operand<T>> memory, Operand<T> penalty) {
    public Forward {
      updates = List.copyOf(updates);
      memory = Map.copyOf(memory);
    }

    public Forward(Operand<T> outputs, List<Op> updates, Map<String, Operand<T>> memory) {
      this(outputs, updates, memory, null);
    }

    public Forward(Operand<T> outputs, List<Op> updates) {
      this(outputs, updates, Map.of(), null);
    }
  }

  /** Name of the ENN's per-step Hebbian trace in {@link Forward#memory()}. */
  String TRACE = "trace";

  /** Name of the ENN's per-step attention weights in {@link Forward#memory()}. */
  String ATTENTION = "attention";

  /** Name of H-Mem's association matrix after the story in {@link Forward#memory()}. */
  String MEMORY = "memory";

  /**
   * Outputs for {@code inputs}, keyed by the dataset's input names.
   *
   * @param training training behaviour (dropout, batch statistics)
   * @param noise the cells' random draws; {@link NoiseSource#zeros()} for deterministic inference
   */
  Forward<T> forward(
      Ops tf,
      Map<String, Operand<?>> inputs,
      boolean training,
      NoiseSource noise,
      SeedStream seeds);

  /** A weight penalty added to the training loss (e.g. L2), or null for none. */
  default Operand<T> penalty(Ops tf) {
    return null;
  }
}
