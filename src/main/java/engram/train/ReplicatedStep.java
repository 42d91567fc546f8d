package engram.train;

import engram.cells.NoiseSource;
import engram.distributed.AllReduce;
import engram.distributed.PlacedGradients;
import engram.distributed.Replicas;
import engram.distributed.Shards;
import engram.models.Model;
import engram.nn.Param;
import engram.ops.Scalars;
import engram.ops.SeedStream;
import engram.tasks.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * The data-parallel training step: one replica of the model's forward and backward pass per device,
 * gradients summed over every replica of the job with collective all-reduce, one Adam update of
 * this process's variables.
 *
 * <pre>
 *  (1) replica k of R takes rows [k n / R, (k + 1) n / R) of this process's batch of n
 *  (2) G_k = d(sum of replica k's losses) / dw            on replica k's device
 *  (3) [G, L, N, C] = all-reduce sum of [G_k, L_k, N_k, C_k] over the job's replicas
 *  (4) g = G / N (+ the weight penalty's gradient),  w = Adam(w, g)
 * </pre>
 *
 * (4) is the gradient of the mean loss over the whole global batch, the single-device objective:
 * replicas change the summation order, not the update. Every process holds the same variables and
 * applies the same update, so all stay identical. Dropout and noise draw from a per-replica seed.
 * Batch-coupled models are not exact: BatchNorm's statistics and the reference ENN's batch-mean
 * trace are per replica, and only replica 0 updates BatchNorm's moving averages.
 */
final class ReplicatedStep {

  /** Seeds of replica k are the step's seeds shifted by k times this in their first word. */
  private static final long SEED_STRIDE = 1_000_003L;

  private ReplicatedStep() {}

  /**
   * @param scores the global batch's scores (the objective is the mean loss, without penalty)
   * @param step runs the update
   */
  record Built<T extends TFloating>(Task.Scores<T> scores, Op step) {}

  static <T extends TFloating> Built<T> build(
      Ops tf,
      Model<T> model,
      Task task,
      Map<String, Operand<?>> feeds,
      Operand<?> y,
      Operand<TInt64> seed,
      List<Param<T>> trainable,
      Adam<T> adam,
      Operand<T> learningRate,
      Replicas replicas) {
    Graph graph = (Graph) tf.scope().env();
    Class<T> type = learningRate.type();
    List<Output<?>> xs = new ArrayList<>();
    trainable.forEach(p -> xs.add(p.value().asOutput()));
    int count = replicas.local();
    List<Operand<T>> reduced = null; // replica 0's sums: [G..., L, N, C]
    List<Operation> collectives = new ArrayList<>();
    List<Op> modelUpdates = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      String name = "replica_" + k;
      Ops on = tf.withSubScope(name).withDevice(replicas.device(k));
      Map<String, Operand<?>> shard = new LinkedHashMap<>(); // (1)
      for (Map.Entry<String, Operand<?>> e : feeds.entrySet()) {
        shard.put(e.getKey(), Shards.rows(on, e.getValue(), k, count));
      }
      SeedStream seeds =
          new SeedStream(on.math.add(seed, on.constant(new long[] {k * SEED_STRIDE, 0})));
      Model.Forward<T> forward = model.forward(on, shard, true, NoiseSource.seeded(seeds), seeds);
      Task.Scores<T> scores = task.score(on, forward.outputs(), Shards.rows(on, y, k, count));
      Output<?>[] grads = // (2)
          PlacedGradients.of(
              graph, name + "_gradients", replicas.devices().get(k), scores.lossSum(), xs);
      List<Operand<T>> packed = new ArrayList<>();
      for (int i = 0; i < grads.length; i++) {
        packed.add(gradient(grads[i], trainable.get(i)));
      }
      packed.add(scores.lossSum());
      packed.add(scores.count());
      packed.add(scores.correct());
      List<Operand<T>> sums = // (3)
          AllReduce.sum(on, packed, replicas.group(), 1, AllReduce.BUFFER_ELEMENTS);
      sums.forEach(s -> collectives.add(s.op()));
      if (k == 0) {
        reduced = sums;
        modelUpdates.addAll(forward.updates());
      }
    }

    Ops apply = tf.withSubScope("apply").withDevice(replicas.device(0)); // (4)
    int n = trainable.size();
    Operand<T> units = apply.math.maximum(reduced.get(n + 1), Scalars.of(apply, 1, type));
    Operand<T> penalty = model.penalty(apply);
    Output<?>[] penaltyGrads =
        penalty == null
            ? new Output<?>[n]
            : PlacedGradients.of(
                graph, "penalty_gradients", replicas.devices().get(0), penalty, xs);
    List<Operand<T>> gradients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Operand<T> g = apply.math.div(reduced.get(i), units);
      if (penaltyGrads[i] != null) {
        g = apply.math.add(g, gradient(penaltyGrads[i], trainable.get(i)));
      }
      gradients.add(g);
    }
    // Gated on every replica's sums: no variable may change before every replica has read it.
    Op update = adam.update(tf.withControlDependencyOps(collectives), gradients, learningRate);
    List<Op> stepOps = new ArrayList<>(modelUpdates);
    stepOps.add(update);
    Op step = tf.withControlDependencies(stepOps).withName("step").noOp();
    Operand<T> meanLoss = apply.withName("loss").math.div(reduced.get(n), units);
    return new Built<>(
        new Task.Scores<>(meanLoss, reduced.get(n), reduced.get(n + 1), reduced.get(n + 2)), step);
  }

  @SuppressWarnings("unchecked")
  private static <T extends TFloating> Operand<T> gradient(Output<?> g, Param<T> p) {
    if (g == null) {
      throw new IllegalStateException("parameter " + p.name() + " does not influence the loss");
    }
    return (Operand<T>) g;
  }
}
