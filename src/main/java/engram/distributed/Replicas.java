package engram.distributed;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;
import org.tensorflow.proto.ConfigProto;

/**
 * Where the replicas of a data-parallel run live: one per device of this process, and the same
 * number in every worker process. All of them form one all-reduce group.
 *
 * @param devices this process's devices, as full names ({@code /device:GPU:1}, in a cluster {@code
 *     /job:worker/replica:0/task:2/device:GPU:1})
 * @param workers processes in the job (1 without a cluster)
 * @param timeoutSeconds a collective that waits longer fails the step (0 = wait forever)
 */
public record Replicas(List<String> devices, int workers, float timeoutSeconds) {

  private static final Pattern DEVICE = Pattern.compile("(cpu|gpu):(\\d{1,3})");

  public Replicas {
    devices = List.copyOf(devices);
    if (devices.isEmpty() || workers < 1) {
      throw new IllegalArgumentException("a job needs >= 1 device and >= 1 worker");
    }
  }

  /** One replica on the default device of one process: plain single-device training. */
  public static Replicas single() {
    return new Replicas(List.of(""), 1, 0);
  }

  /**
   * Parses {@code --replicas}: devices such as {@code gpu:0,gpu:1} or {@code cpu:0,cpu:1} (several
   * CPU devices share the machine's cores: they stand in for GPUs in tests, and are no faster).
   */
  public static Replicas parse(String spec, int workers, float timeoutSeconds) {
    Set<String> names = new LinkedHashSet<>();
    for (String part : spec.split(",", -1)) {
      Matcher m = DEVICE.matcher(part.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "--replicas: '"
                + part.trim()
                + "' is not a device; list devices as cpu:N or gpu:N, e.g. --replicas gpu:0,gpu:1");
      }
      String name = "/device:" + m.group(1).toUpperCase(Locale.ROOT) + ":" + m.group(2);
      if (!names.add(name)) {
        throw new IllegalArgumentException(
            "--replicas: " + part.trim() + " is listed twice; give each device once");
      }
    }
    return new Replicas(new ArrayList<>(names), workers, timeoutSeconds);
  }

  /** Replicas in this process. */
  public int local() {
    return devices.size();
  }

  /** Replicas in the whole job: the size of the all-reduce group. */
  public int groupSize() {
    return devices.size() * workers;
  }

  /**
   * Refuses a global batch of {@code batch} examples that leaves a replica of the job without one;
   * {@code flag} names the setting to raise (e.g. {@code train.batchSize}).
   */
  public void checkBatch(String flag, int batch) {
    if (batch < groupSize()) {
      throw new IllegalArgumentException(
          flag
              + " "
              + batch
              + " is smaller than the job's "
              + groupSize()
              + " replicas; each replica needs >= 1 example per step: raise the batch size");
    }
  }

  /** Whether gradients are all-reduced (more than one replica in the job). */
  public boolean parallel() {
    return groupSize() > 1;
  }

  /** The all-reduce group of the job's replicas; NCCL moves the sums between GPUs. */
  public AllReduce.Group group() {
    boolean gpus = devices.stream().allMatch(d -> d.contains("GPU"));
    return new AllReduce.Group(groupSize(), 1, timeoutSeconds, gpus ? "nccl" : "auto");
  }

  /**
   * These replicas as task {@code task} of {@code workers} worker processes: each device named in
   * full, so that the collective ops of every task meet in one group.
   */
  public Replicas inCluster(int workers, int task) {
    List<String> qualified = new ArrayList<>();
    for (String d : devices) {
      qualified.add(Cluster.taskDevice(task) + (d.isEmpty() ? "/device:CPU:0" : d));
    }
    return new Replicas(qualified, workers, timeoutSeconds);
  }

  /** Local replica {@code k}'s device. */
  public DeviceSpec device(int k) {
    Matcher m = FULL_NAME.matcher(devices.get(k));
    if (!m.matches()) {
      throw new IllegalStateException("replica " + k + " has no device");
    }
    DeviceSpec.Builder spec =
        DeviceSpec.newBuilder()
            .deviceType(DeviceSpec.DeviceType.valueOf(m.group(3)))
            .deviceIndex(Integer.parseInt(m.group(4)));
    if (m.group(1) != null) {
      spec.job(m.group(1)).replica(0).task(Integer.parseInt(m.group(2)));
    }
    return spec.build();
  }

  private static final Pattern FULL_NAME =
      Pattern.compile("(?:/job:(\\w+)/replica:0/task:(\\d+))?/device:(CPU|GPU):(\\d+)");

  /**
   * {@code config} with as many CPU devices as the replicas name: TensorFlow makes one CPU device
   * unless told otherwise, and soft placement would silently put every replica on it.
   */
  public ConfigProto configure(ConfigProto config) {
    int cpus = 0;
    for (String d : devices) {
      Matcher m = FULL_NAME.matcher(d);
      if (m.matches() && m.group(3).equals("CPU")) {
        cpus = Math.max(cpus, Integer.parseInt(m.group(4)) + 1);
      }
    }
    if (cpus <= 1) {
      return config;
    }
    ConfigProto base = config == null ? ConfigProto.getDefaultInstance() : config;
    return base.toBuilder().putDeviceCount("CPU", cpus).build();
  }
}
