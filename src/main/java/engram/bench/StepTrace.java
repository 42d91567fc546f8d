package engram.bench;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.tensorflow.proto.AllocatorMemoryUsed;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/** What a traced training step ({@link RunMetadata}) says: op times, peak memory, XLA clusters. */
final class StepTrace {

  private StepTrace() {}

  /**
   * Microseconds per op type in a traced step, summed over its ops (the type is read from the
   * timeline label {@code name = Type(inputs)}). GPU stream records, which repeat the kernels of
   * ops already counted on their device, are left out.
   */
  static Map<String, Long> opMicros(RunMetadata trace) {
    Map<String, Long> micros = new HashMap<>();
    for (DeviceStepStats device : trace.getStepStats().getDevStatsList()) {
      if (device.getDevice().contains("stream") || device.getDevice().contains("memcpy")) {
        continue;
      }
      for (NodeExecStats node : device.getNodeStatsList()) {
        String label = node.getTimelineLabel();
        int eq = label.indexOf(" = ");
        int paren = label.indexOf('(', Math.max(eq, 0));
        String type = eq >= 0 && paren > eq ? label.substring(eq + 3, paren) : node.getNodeName();
        micros.merge(type, node.getAllEndRelMicros(), Long::sum);
      }
    }
    return micros;
  }

  /**
   * Milliseconds a replica spends in the step's all-reduce ({@code CollectiveReduceV2} ops, summed
   * per device, averaged over the devices that ran one); 0 without replicas. The time includes the
   * wait for the slowest replica, which is what the all-reduce costs the step.
   */
  static double allReduceMs(RunMetadata trace) {
    long micros = 0;
    int devices = 0;
    for (DeviceStepStats device : trace.getStepStats().getDevStatsList()) {
      long here = 0;
      boolean ran = false;
      for (NodeExecStats node : device.getNodeStatsList()) {
        if (node.getTimelineLabel().contains(" = CollectiveReduceV2(")) {
          here += node.getAllEndRelMicros();
          ran = true;
        }
      }
      if (ran) {
        micros += here;
        devices++;
      }
    }
    return devices == 0 ? 0 : micros / 1000.0 / devices;
  }

  /** The {@code top} op types by summed time, as {@code Type 12.3 ms}. */
  static String opTimes(RunMetadata trace, int top) {
    return opMicros(trace).entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .map(e -> String.format(Locale.ROOT, "%s %.1f ms", e.getKey(), e.getValue() / 1000.0))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * The largest {@code allocator_bytes_in_use} of the GPU allocators over every op of a traced
   * step. (TensorFlow's CPU allocator keeps no such statistics; on a CPU the process RSS says it.)
   */
  static long peakAllocatorBytes(RunMetadata trace) {
    long peak = 0;
    for (DeviceStepStats device : trace.getStepStats().getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        for (AllocatorMemoryUsed m : node.getMemoryList()) {
          if (m.getAllocatorName().toUpperCase(Locale.ROOT).contains("GPU")) {
            peak = Math.max(peak, Math.max(m.getAllocatorBytesInUse(), m.getPeakBytes()));
          }
        }
      }
    }
    return peak;
  }

  /** Nodes of {@code op} (all nodes when null) in the partition graphs TensorFlow ran. */
  static int countOps(RunMetadata trace, String op) {
    int n = 0;
    for (GraphDef partition : trace.getPartitionGraphsList()) {
      for (NodeDef node : partition.getNodeList()) {
        if (op == null || node.getOp().equals(op)) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * The {@code top} most frequent op types in the partition graphs, as {@code Op@DEVICE xN},
   * leaving out XLA's own launch ops and the send/receive pairs between partitions.
   */
  static String opHistogram(RunMetadata trace, int top) {
    Map<String, Integer> counts = new HashMap<>();
    for (GraphDef partition : trace.getPartitionGraphsList()) {
      for (NodeDef node : partition.getNodeList()) {
        String op = node.getOp();
        if (op.startsWith("_Xla") || op.equals("_Send") || op.equals("_Recv")) {
          continue;
        }
        String device = node.getDevice().replaceAll(".*device:([A-Z]+):.*", "$1");
        counts.merge(op + "@" + device, 1, Integer::sum);
      }
    }
    return counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Integer>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .map(e -> e.getKey() + " x" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
