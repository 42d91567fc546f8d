package engram.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import engram.testing.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat64;

/** Two replicas on two CPU devices of one process sum their tensors with collective ops. */
class AllReduceTest {

  static final ConfigProto TWO_CPUS = ConfigProto.newBuilder().putDeviceCount("CPU", 2).build();

  static DeviceSpec cpu(int i) {
    return DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(i).build();
  }

  /** Replica r holds (r+1) * [1, 2, 3], (r+1) * [[4, 5], [6, 7]] and (r+1) * 8. */
  static List<Operand<TFloat64>> values(Ops tf, int r) {
    double k = r + 1;
    return List.of(
        tf.constant(new double[] {k, 2 * k, 3 * k}),
        tf.constant(new double[][] {{4 * k, 5 * k}, {6 * k, 7 * k}}),
        tf.constant(8 * k));
  }

  void sumsOnEveryReplica(long bufferElements) {
    try (Graph g = new Graph();
        Session s = new Session(g, TWO_CPUS)) {
      Ops tf = Ops.create(g);
      AllReduce.Group group = new AllReduce.Group(2, 1, 30, "auto");
      List<List<Operand<TFloat64>>> sums = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        Ops on = tf.withSubScope("replica_" + r).withDevice(cpu(r));
        sums.add(AllReduce.sum(on, values(on, r), group, 1, bufferElements));
      }
      Session.Runner runner = s.runner();
      sums.forEach(l -> l.forEach(runner::fetch));
      try (Result res = runner.run()) {
        for (int r = 0; r < 2; r++) {
          assertArrayEquals(new double[] {3, 6, 9}, Tensors.read(res.get(3 * r)));
          assertArrayEquals(new double[] {12, 15, 18, 21}, Tensors.read(res.get(3 * r + 1)));
          assertArrayEquals(new double[] {24}, Tensors.read(res.get(3 * r + 2)));
          assertArrayEquals(new long[] {2, 2}, res.get(3 * r + 1).shape().asArray());
        }
      }
    }
  }

  @Test
  void oneBufferSumsEveryTensor() {
    sumsOnEveryReplica(AllReduce.BUFFER_ELEMENTS);
  }

  @Test
  void smallBuffersSumTheSame() {
    sumsOnEveryReplica(4); // [3] + nothing, [2, 2], [] + ...: three collectives
  }
}
