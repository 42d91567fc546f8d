package engram.distributed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.tensorflow.Server;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * The worker processes of a multi-process job and which one this is: TensorFlow's gRPC runtime with
 * one job, {@code worker}, whose task 0 leads the collective groups (distributed.md §2).
 *
 * @param workers every task's {@code host:port}, in task order
 * @param task this process's index
 */
public record Cluster(List<String> workers, int task) {

  private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9_.\\-\\[\\]:]+:\\d{1,5}");

  public Cluster {
    workers = List.copyOf(workers);
    for (String w : workers) {
      if (!ADDRESS.matcher(w).matches()) {
        throw new IllegalArgumentException(
            "--cluster: '" + w + "' is not host:port; list every worker, e.g. a:2222,b:2222");
      }
    }
    if (workers.size() < 2) {
      throw new IllegalArgumentException(
          "--cluster lists " + workers.size() + " worker; a cluster needs >= 2 (or train alone)");
    }
    if (task < 0 || task >= workers.size()) {
      throw new IllegalArgumentException(
          "--task "
              + task
              + " is not a worker of the "
              + workers.size()
              + " in --cluster; use 0 to "
              + (workers.size() - 1));
    }
  }

  /** {@code --cluster host:port,host:port,... --task i}. */
  public static Cluster parse(String list, int task) {
    List<String> workers = new ArrayList<>();
    for (String w : list.split(",", -1)) {
      workers.add(w.trim());
    }
    return new Cluster(workers, task);
  }

  /**
   * The standard {@code TF_CONFIG} JSON that TensorFlow launchers (Kubeflow's TFJob among them)
   * set: {@code {"cluster": {"worker": [...]}, "task": {"type": "worker", "index": i}}}. A {@code
   * chief} job, if listed, comes first: it is task 0.
   */
  public static Cluster fromTfConfig(String json) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("TF_CONFIG is not JSON: " + e.getOriginalMessage());
    }
    JsonNode cluster = root == null ? null : root.get("cluster");
    JsonNode task = root == null ? null : root.get("task");
    if (cluster == null || task == null || !task.path("index").isInt()) {
      throw new IllegalArgumentException(
          "TF_CONFIG needs \"cluster\" and \"task\": {\"type\": \"worker\", \"index\": N}");
    }
    List<String> workers = new ArrayList<>();
    cluster.path("chief").forEach(n -> workers.add(n.asText()));
    int chiefs = workers.size();
    cluster.path("worker").forEach(n -> workers.add(n.asText()));
    String type = task.path("type").asText("worker");
    int index = task.get("index").asInt();
    return switch (type) {
      case "chief" -> new Cluster(workers, index);
      case "worker" -> new Cluster(workers, chiefs + index);
      default ->
          throw new IllegalArgumentException(
              "TF_CONFIG task type '" + type + "': engram runs chief and worker tasks only");
    };
  }

  /** The name of task {@code task}'s devices, before {@code /device:...}. */
  public static String taskDevice(int task) {
    return "/job:worker/replica:0/task:" + task;
  }

  /** The gRPC target of this task's server. */
  public String target() {
    return "grpc://localhost:" + port();
  }

  private int port() {
    String w = workers.get(task);
    return Integer.parseInt(w.substring(w.lastIndexOf(':') + 1));
  }

  /**
   * Starts this task's gRPC server. It lives as long as the process: TensorFlow cannot stop one
   * (distributed.md §4), and its port stays bound until exit.
   */
  public Server startServer() {
    JobDef.Builder job = JobDef.newBuilder().setName("worker");
    for (int i = 0; i < workers.size(); i++) {
      job.putTasks(i, workers.get(i));
    }
    // The leader must be in the server's default config: set only on the session, the first
    // all-reduce waits forever.
    ConfigProto leader =
        ConfigProto.newBuilder()
            .setExperimental(
                ConfigProto.Experimental.newBuilder().setCollectiveGroupLeader(taskDevice(0)))
            .build();
    ServerDef def =
        ServerDef.newBuilder()
            .setCluster(ClusterDef.newBuilder().addJob(job))
            .setJobName("worker")
            .setTaskIndex(task)
            .setProtocol("grpc")
            .setDefaultSessionConfig(leader)
            .build();
    Server server = new Server(def);
    server.start();
    return server;
  }

  /**
   * {@code config} for this task's session: it sees only its own devices (opening it does not probe
   * every worker) and names the group leader.
   */
  public ConfigProto sessionConfig(ConfigProto config) {
    ConfigProto.Builder b =
        (config == null ? ConfigProto.getDefaultInstance() : config).toBuilder();
    b.clearDeviceFilters().addDeviceFilters("/job:worker/task:" + task);
    b.setExperimental(b.getExperimental().toBuilder().setCollectiveGroupLeader(taskDevice(0)));
    return b.build();
  }
}
