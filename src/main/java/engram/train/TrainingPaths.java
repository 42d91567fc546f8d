package engram.train;

import engram.cells.NoiseSource;
import engram.data.Target;
import engram.models.Model;
import engram.models.ModelConfig;
import engram.models.SequenceModel;
import engram.nn.Param;
import engram.ops.SeedStream;
import engram.ops.Shapes;
import engram.ops.SharedWeightGradients;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * How {@link TrainingGraph} builds its paths: which one the model and data call for (whole
 * sequence, BPTT windows, or state carried between stream windows), and the Adam step.
 */
final class TrainingPaths {

  private TrainingPaths() {}

  /**
   * {@code dy/dx} for every x (null or closed where x does not influence y). With {@code batched} a
   * weight read once per time step gets one batched product ({@link SharedWeightGradients}): fewer
   * kernels, for a GPU. Otherwise TensorFlow's T per-step products, which a CPU overlaps with the
   * recurrence.
   */
  static Output<?>[] gradients(
      Graph graph, String prefix, Operand<?> y, List<Output<?>> xs, boolean batched) {
    return batched
        ? SharedWeightGradients.of(graph, prefix, y, xs).gradients()
        : graph.addGradients(
            prefix, new Output<?>[] {y.asOutput()}, xs.toArray(Output<?>[]::new), null);
  }

  /**
   * The step op: Adam on the gradients of the loss (plus the model's penalty), gated on them, with
   * the model's own per-step updates (BatchNorm's moving averages); with {@code lossScale}
   * (float16, else null) the loss is scaled and a step whose gradients overflowed applies nothing.
   */
  static <T extends TFloating> Op adamStep(
      Ops tf,
      Ops train,
      Model<T> model,
      Model.Forward<T> forward,
      Operand<T> loss,
      List<Param<T>> trainable,
      Adam<T> adam,
      Operand<T> learningRate,
      LossScale lossScale,
      boolean batchedWeightGradients) {
    Graph graph = (Graph) tf.scope().env();
    Operand<T> objective = objective(train, model, loss);
    if (forward.penalty() != null) {
      objective = train.math.add(objective, forward.penalty());
    }
    Operand<T> scaleRead = null;
    if (lossScale != null) { // LossScale (1): differentiate S * objective
      scaleRead = lossScale.read(train, objective.type());
      objective = train.math.mul(objective, scaleRead);
    }
    List<Output<?>> xs = new ArrayList<>();
    trainable.forEach(p -> xs.add(p.value().asOutput()));
    Output<?>[] grads = gradients(graph, "gradients", objective, xs, batchedWeightGradients);
    List<Operand<T>> gradients = new ArrayList<>();
    List<Operation> gate = new ArrayList<>(List.of(loss.op(), objective.op()));
    for (int i = 0; i < grads.length; i++) {
      if (grads[i] == null || grads[i].isClosed()) {
        throw new IllegalStateException(
            "parameter " + trainable.get(i).name() + " does not influence the loss");
      }
      @SuppressWarnings("unchecked")
      Output<T> g = (Output<T>) grads[i];
      gradients.add(g);
      gate.add(g.op());
    }
    List<Op> stepOps = new ArrayList<>(forward.updates());
    if (lossScale != null) { // LossScale (1)-(3): unscaled, applied only when all are finite
      LossScale.Scaled<T> scaled = lossScale.unscale(train, scaleRead, gradients);
      gradients = scaled.gradients();
      stepOps.add(scaled.update());
    }
    Op step = adam.update(tf.withControlDependencyOps(gate), gradients, learningRate);
    stepOps.add(step);
    return tf.withControlDependencies(stepOps).withName("step").noOp();
  }

  /** What training minimises: the task's loss plus the model's weight penalty, if any. */
  static <T extends TFloating> Operand<T> objective(Ops tf, Model<T> model, Operand<T> loss) {
    Operand<T> penalty = model.penalty(tf);
    return penalty == null ? loss : tf.math.add(loss, penalty);
  }

  /** Checks that the model's head fits the target: every-step logits for per-step classes. */
  static void checkOutputs(ModelConfig config, Target target) {
    boolean perStep = target.kind() == Target.Kind.CLASS_PER_STEP;
    boolean every = config.head().equals(ModelConfig.EVERY);
    if (perStep != every) {
      throw new IllegalArgumentException(
          "the data has "
              + (perStep ? "a class per step" : "one target per example")
              + ", so set model.head to "
              + (perStep ? ModelConfig.EVERY : ModelConfig.LAST));
    }
  }

  /** The sequence model whose state streams carry, or null for independent examples. */
  static <T extends TFloating> SequenceModel<T> stateful(Model<T> model, int streams) {
    if (streams == 0) {
      return null;
    }
    if (!(model instanceof SequenceModel<T> sequence)) {
      throw new IllegalArgumentException(
          "stream data needs a sequence model (enn, lstm, gru, rnn)");
    }
    return sequence;
  }

  /** A path whose state enters and leaves through a {@link StateCarry}. */
  record Carried<T extends TFloating>(
      StateCarry<T> carry, Operand<T> outputs, Map<String, Operand<T>> memory) {}

  static <T extends TFloating> Carried<T> carried(
      Ops tf,
      SequenceModel<T> model,
      Map<String, Operand<?>> feeds,
      boolean training,
      NoiseSource noise,
      SeedStream seeds) {
    Operand<?> x = model.input(feeds);
    StateCarry<T> carry =
        new StateCarry<>(tf, model.initialStates(tf, Shapes.batchSize(tf, x), noise));
    SequenceModel.Unrolled<T> u = model.unroll(tf, x, carry.states(), training, noise, seeds);
    carry.ends(u.finalStates());
    return new Carried<>(carry, u.outputs(), model.memory(tf, u.layers()));
  }

  /** The sequence model to run in windows, or null for one whole-sequence graph. */
  static <T extends TFloating> SequenceModel<T> windowed(
      Model<T> model, ModelConfig config, Bptt bptt, int streams) {
    if (bptt.window() == 0) {
      return null;
    }
    if (streams > 0 || !config.head().equals(ModelConfig.LAST) || config.embedding() > 0) {
      throw new IllegalArgumentException(
          "train.bpttWindow applies to classifiers of long sequences; stream data is already cut"
              + " into windows (data.window); set train.bpttWindow to 0");
    }
    if (!(model instanceof SequenceModel<T> sequence)) {
      throw new IllegalArgumentException(
          "train.bpttWindow applies to the sequence models (enn, lstm, gru, rnn), not "
              + config.type()
              + "; set it to 0");
    }
    return bptt.splits(sequence.timeSteps()) ? sequence : null;
  }
}
