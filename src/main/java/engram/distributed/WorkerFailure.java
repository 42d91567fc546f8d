package engram.distributed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-process job cannot go on: a worker died, froze or lost its network, so a collective
 * failed or a step overran its deadline. TensorFlow cannot recover a process from a failed
 * collective (distributed.md §3): every task exits and the whole job resumes from task 0's last
 * checkpoint. The message names the workers that no longer answer.
 */
public final class WorkerFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private WorkerFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The failure of task {@code cluster.task()} during {@code what} (e.g. "step 57 of epoch 2"),
   * after probing every other worker's server.
   */
  public static WorkerFailure of(Cluster cluster, String what, Throwable cause) {
    List<String> gone = new ArrayList<>();
    for (int t = 0; t < cluster.workers().size(); t++) {
      if (t != cluster.task() && !answers(cluster.workers().get(t))) {
        gone.add("task " + t + " (" + cluster.workers().get(t) + ")");
      }
    }
    String who =
        gone.isEmpty()
            ? "a worker stopped answering in time (every server still accepts connections:"
                + " one may be frozen or overloaded)"
            : String.join(", ", gone) + (gone.size() == 1 ? " does" : " do") + " not answer";
    String why = cause == null ? "" : " [" + firstLine(cause) + "]";
    return new WorkerFailure(
        "task " + cluster.task() + " stopped in " + what + ": " + who + why, cause);
  }

  private static String firstLine(Throwable t) {
    String m = String.valueOf(t.getMessage()).strip();
    int nl = m.indexOf('\n');
    return t.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
  }

  /** Whether a TCP connection to {@code hostPort} opens within 2 s. */
  private static boolean answers(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try (Socket s = new Socket()) {
      s.connect(
          new InetSocketAddress(
              hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
          2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
