package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.Batch;
import engram.data.Batches;
import engram.distributed.Replicas;
import engram.models.ModelConfig;
import engram.models.ModelType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Data-parallel training in one process on two CPU devices ({@code --replicas cpu:0,cpu:1}): in
 * float64 it follows single-device training at the same global batch to 1e-12, and each replica's
 * backward pass runs on its own device.
 */
class ReplicatedTrainingTest {

  static final Replicas TWO = Replicas.parse("cpu:0,cpu:1", 1, 60);

  static TrainingGraph graph(ModelType type, Replicas replicas) {
    return graph(type, replicas, o -> o);
  }

  /** The float64 LSTM(8) or GRU(8) of these tests, its options changed by {@code more}. */
  static TrainingGraph graph(
      ModelType type,
      Replicas replicas,
      java.util.function.UnaryOperator<TrainingGraph.Options> more) {
    return new TrainingGraph(
        new ModelConfig(type, List.of(8), 0, null, null),
        PrecisionTest.data.train().inputs(),
        PrecisionTest.data.train().target(),
        0,
        more.apply(
            TrainingGraph.Options.defaults(5)
                .withClipnorm(1.0)
                .withPrecision(Precision.FLOAT64)
                .withReplicas(replicas)),
        null);
  }

  /**
   * 20 steps over 64 examples in batches of 25, 25 and 14 (so shards of 12 + 13 and 7 + 7 rows):
   * every step's loss and the final weights equal the single-device run's.
   */
  void followsOneDevice(ModelType type) throws Exception {
    PrecisionTest.load();
    Batches order = Batches.inOrder(PrecisionTest.data.train(), 25);
    Batch batch = Batch.forDataset(PrecisionTest.data.train(), 25);
    try (TrainingGraph one = graph(type, Replicas.single());
        TrainingGraph two = graph(type, TWO)) {
      for (int step = 0; step < 20; step++) {
        order.fill(step % order.count(), batch);
        long[] seed = {9, step};
        TrainingGraph.BatchResult a = one.trainStep(batch, 1e-2f, seed);
        TrainingGraph.BatchResult b = two.trainStep(batch, 1e-2f, seed);
        assertEquals(a.loss(), b.loss(), 1e-12, "loss at step " + step);
        assertEquals(a.size(), b.size());
        assertEquals(a.correct(), b.correct());
      }
      PrecisionTest.assertSameWeights(one, two, 1e-12);
    }
  }

  @Test
  void lstmOnTwoDevicesFollowsOneDevice() throws Exception {
    followsOneDevice(ModelType.LSTM);
  }

  @Test
  void gruOnTwoDevicesFollowsOneDevice() throws Exception {
    followsOneDevice(ModelType.GRU);
  }

  @Test
  void eachReplicasBackwardPassRunsOnItsDevice() throws Exception {
    PrecisionTest.load();
    Batch batch = Batch.forDataset(PrecisionTest.data.train(), 16);
    Batches.inOrder(PrecisionTest.data.train(), 16).fill(0, batch);
    try (TrainingGraph two = graph(ModelType.LSTM, TWO)) {
      RunMetadata trace = two.tracedTrainStep(batch, 1e-2f, new long[] {1, 0});
      for (int k = 0; k < 2; k++) {
        List<String> mine = new ArrayList<>();
        List<String> misplaced = new ArrayList<>();
        for (DeviceStepStats d : trace.getStepStats().getDevStatsList()) {
          for (NodeExecStats n : d.getNodeStatsList()) {
            if (n.getNodeName().startsWith("replica_" + k + "_gradients/")) {
              (d.getDevice().endsWith("CPU:" + k) ? mine : misplaced).add(n.getNodeName());
            }
          }
        }
        assertTrue(mine.size() > 50, "replica " + k + " ran " + mine.size() + " gradient ops");
        assertTrue(misplaced.isEmpty(), "replica " + k + " gradient ops elsewhere: " + misplaced);
      }
    }
  }

  @Test
  void badDeviceListsAreOneLineErrors() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Replicas.parse("gpu:0,tpu:1", 1, 0));
    assertEquals(
        "--replicas: 'tpu:1' is not a device; list devices as cpu:N or gpu:N, e.g. --replicas"
            + " gpu:0,gpu:1",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Replicas.parse("cpu:0,cpu:0", 1, 0));
    assertFalse(e.getMessage().contains("\n"));
    assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
  }
}
