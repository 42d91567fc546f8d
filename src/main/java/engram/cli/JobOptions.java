package engram.cli;

import engram.distributed.Cluster;
import engram.distributed.Replicas;
import engram.runtime.Compute;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Where a training step runs: {@code --replicas}, and {@code --cluster --task} or TF_CONFIG. */
final class JobOptions {

  @Option(
      names = "--replicas",
      paramLabel = "DEVICES",
      description =
          "Data-parallel training on these devices, e.g. gpu:0,gpu:1: each step's batch is split"
              + " between them and their gradients all-reduced. The config and checkpoints stay"
              + " as on one device. cpu:0,cpu:1 makes two CPU devices that share the cores (for"
              + " tests; no faster).")
  String replicas;

  @Option(
      names = "--cluster",
      paramLabel = "HOST:PORT,...",
      description =
          "Run as one worker of a multi-process job: every worker's host:port, the same list on"
              + " each (default: the TF_CONFIG environment variable, if set). Task 0 writes the"
              + " results.")
  String cluster;

  @Option(
      names = "--task",
      paramLabel = "I",
      description = "This worker's index in --cluster (0 = the one that writes the results).")
  Integer task;

  /** The devices of this process's replicas: {@code --replicas}, else the default device. */
  Replicas replicas(Compute compute) {
    if (replicas == null) {
      return Replicas.single();
    }
    Replicas r = Replicas.parse(replicas, 1, 0);
    // A GPU TensorFlow does not see would silently fall back to the CPU: refuse it here.
    for (String device : r.devices()) {
      if (!device.contains("GPU")) {
        continue;
      }
      String name = device.substring("/device:".length()).toLowerCase(Locale.ROOT);
      if (Compute.devices().stream().noneMatch(d -> d.name().endsWith(device.substring(1)))) {
        throw new IllegalArgumentException(
            "--replicas: TensorFlow sees no "
                + name
                + " (`engram doctor` lists the devices); name GPUs it sees, or cpu:0,cpu:1");
      }
      if (compute.resolvedDevice() == Compute.Device.CPU) {
        throw new IllegalArgumentException(
            "--replicas names " + name + " but --device cpu hides GPUs: drop one of the two");
      }
    }
    return r;
  }

  /** The job this process is a worker of: {@code --cluster --task}, else TF_CONFIG, else none. */
  Cluster cluster() {
    if (cluster != null) {
      if (task == null) {
        throw new IllegalArgumentException("--cluster needs --task I, this worker's index in it");
      }
      return Cluster.parse(cluster, task);
    }
    if (task != null) {
      throw new IllegalArgumentException("--task needs --cluster, the list of every worker");
    }
    String tfConfig = System.getenv("TF_CONFIG");
    return tfConfig == null || tfConfig.isBlank() ? null : Cluster.fromTfConfig(tfConfig);
  }
}
