package engram.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat64;

/**
 * The backward pass of a forward pass built on CPU:1 runs on CPU:1 and equals the gradient by hand:
 * for y = sum((W x)^2), dy/dW = 2 (W x) x^T. Plain {@code addGradients} ops run on CPU:0.
 */
class PlacedGradientsTest {

  @Test
  void gradientOpsRunOnTheirDeviceWithTheirValues() {
    double[][] w = {{1, -2}, {0.5, 3}, {-1, 1}};
    double[] x = {2, -1};
    try (Graph g = new Graph();
        Session s = new Session(g, AllReduceTest.TWO_CPUS)) {
      Ops tf = Ops.create(g).withSubScope("replica_1").withDevice(AllReduceTest.cpu(1));
      Operand<TFloat64> weights = tf.identity(tf.constant(w));
      Operand<TFloat64> wx =
          tf.linalg.matMul(weights, tf.reshape(tf.constant(x), tf.constant(new long[] {2, 1})));
      Operand<TFloat64> y = tf.sum(tf.math.square(wx), tf.constant(new int[] {0, 1}));
      Output<?>[] grads =
          PlacedGradients.of(
              g, "replica_1_gradients", "/device:CPU:1", y, List.of(weights.asOutput()));
      assertTrue(grads[0].op().name().startsWith("replica_1_gradients/"), grads[0].op().name());

      RunOptions trace =
          RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
      try (Result r = s.runner().fetch(grads[0]).setOptions(trace).runAndFetchMetadata()) {
        double[] expected = new double[6];
        for (int i = 0; i < 3; i++) {
          double wxi = w[i][0] * x[0] + w[i][1] * x[1];
          for (int j = 0; j < 2; j++) {
            expected[i * 2 + j] = 2 * wxi * x[j];
          }
        }
        assertArrayEquals(expected, Tensors.read(r.get(0)), 1e-12);

        List<String> onCpu1 = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        for (DeviceStepStats d : r.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
          for (NodeExecStats n : d.getNodeStatsList()) {
            if (n.getNodeName().startsWith("replica_1_gradients")) {
              (d.getDevice().endsWith("CPU:1") ? onCpu1 : elsewhere).add(n.getNodeName());
            }
          }
        }
        assertFalse(onCpu1.isEmpty(), "gradient ops ran on CPU:1");
        assertTrue(elsewhere.isEmpty(), "gradient ops ran elsewhere: " + elsewhere);
      }

      // The pitfall this class exists for: plain addGradients ops land on CPU:0.
      Output<?> plain =
          g.addGradients(
                  "plain",
                  new Output<?>[] {y.asOutput()},
                  new Output<?>[] {weights.asOutput()},
                  null)[0];
      try (Result r = s.runner().fetch(plain).setOptions(trace).runAndFetchMetadata()) {
        boolean onCpu0 = false;
        for (DeviceStepStats d : r.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
          for (NodeExecStats n : d.getNodeStatsList()) {
            if (n.getNodeName().startsWith("plain/")) {
              assertFalse(
                  d.getDevice().endsWith("CPU:1"), n.getNodeName() + " on " + d.getDevice());
              onCpu0 |= d.getDevice().endsWith("CPU:0");
            }
          }
        }
        assertTrue(onCpu0, "unplaced gradient ops ran on CPU:0");
      }
    }
  }

  /**
   * An embedding lookup (whose gradient TensorFlow colocates with the table) and an x that y does
   * not reach (a weight penalty on some kernels only): y = sum(E[idx] * c) + sum(V^2), with a third
   * variable U unused. By hand dy/dE[r] = (times row r is looked up) * c, dy/dV = 2V, dy/dU = none.
   */
  @Test
  void embeddingLookupsAndUnreachedVariables() {
    double[][] e = {{1, 2}, {3, 4}, {5, 6}};
    double[] c = {0.5, -2};
    double[] v = {1.5, -3};
    try (Graph g = new Graph();
        Session s = new Session(g, AllReduceTest.TWO_CPUS)) {
      Ops tf = Ops.create(g).withDevice(AllReduceTest.cpu(1));
      Operand<TFloat64> table = tf.withName("embedding_read").identity(tf.constant(e));
      Operand<TFloat64> kernel = tf.identity(tf.constant(v));
      Operand<TFloat64> unused = tf.identity(tf.constant(new double[] {7}));
      Operand<TFloat64> rows = tf.gather(table, tf.constant(new int[] {2, 0, 2}), tf.constant(0));
      Operand<TFloat64> y =
          tf.math.add(
              tf.sum(tf.math.mul(rows, tf.constant(c)), tf.constant(new int[] {0, 1})),
              tf.sum(tf.math.square(kernel), tf.constant(0)));
      Output<?>[] grads =
          PlacedGradients.of(
              g,
              "placed",
              "/device:CPU:1",
              y,
              List.of(table.asOutput(), unused.asOutput(), kernel.asOutput()));
      assertTrue(grads[1] == null, "U does not influence y");
      try (Result r = s.runner().fetch(grads[0]).fetch(grads[2]).run()) {
        assertArrayEquals(new double[] {0.5, -2, 0, 0, 1.0, -4}, Tensors.read(r.get(0)), 1e-12);
        assertArrayEquals(new double[] {3, -6}, Tensors.read(r.get(1)), 1e-12);
      }
    }
  }
}
