package engram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engram.testing.Subprocess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engram train} as two worker processes on loopback: configured by {@code --cluster --task}
 * or by TF_CONFIG alone, the job trains to the same result; only task 0 writes the run directory.
 */
class ClusterCliTest {

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Runs the tiny run as a two-worker job into {@code out}; returns task 0's result.json. */
  static JsonNode job(Path out, boolean tfConfig, Path logs) throws Exception {
    List<String> workers = List.of("localhost:" + freePort(), "localhost:" + freePort());
    List<Process> tasks = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      List<String> args = new ArrayList<>(List.of(TinyRun.trainArgs(out, "--epochs", "1")));
      ProcessBuilder pb;
      if (tfConfig) {
        pb = Subprocess.engram(Path.of("").toAbsolutePath(), args.toArray(String[]::new));
        pb.environment()
            .put(
                "TF_CONFIG",
                "{\"cluster\": {\"worker\": [\""
                    + workers.get(0)
                    + "\", \""
                    + workers.get(1)
                    + "\"]}, \"task\": {\"type\": \"worker\", \"index\": "
                    + t
                    + "}}");
      } else {
        args.addAll(List.of("--cluster", String.join(",", workers), "--task", Integer.toString(t)));
        pb = Subprocess.engram(Path.of("").toAbsolutePath(), args.toArray(String[]::new));
        pb.environment().remove("TF_CONFIG");
      }
      Path log = logs.resolve((tfConfig ? "tfconfig" : "cluster") + "-task" + t + ".log");
      tasks.add(pb.redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }
    for (int t = 0; t < 2; t++) {
      Process p = tasks.get(t);
      boolean done = p.waitFor(180, TimeUnit.SECONDS);
      if (!done) {
        tasks.forEach(Process::destroyForcibly);
      }
      Path log = logs.resolve((tfConfig ? "tfconfig" : "cluster") + "-task" + t + ".log");
      assertTrue(done, "task " + t + " did not finish: " + Files.readString(log));
      assertEquals(0, p.exitValue(), "task " + t + ": " + Files.readString(log));
    }
    return new ObjectMapper().readTree(out.resolve("result.json").toFile());
  }

  @Test
  void tfConfigAndClusterFlagsTrainTheSameJob(@TempDir Path tmp) throws Exception {
    JsonNode flags = job(tmp.resolve("flags"), false, tmp);
    JsonNode env = job(tmp.resolve("env"), true, tmp);
    assertEquals(flags.path("test_loss").asDouble(), env.path("test_loss").asDouble(), 0.0);
    assertEquals(flags.path("test_accuracy").asDouble(), env.path("test_accuracy").asDouble());
    assertFalse(Files.exists(tmp.resolve("flags").resolve("task1")), "task 1 writes nothing");

    // One process on the same global batch: the same run up to float32 summation order.
    Path single = tmp.resolve("single");
    CliErrorsTest.Outcome o = CliErrorsTest.engram(TinyRun.trainArgs(single, "--epochs", "1"));
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    JsonNode one = new ObjectMapper().readTree(single.resolve("result.json").toFile());
    double loss = one.path("test_loss").asDouble();
    assertEquals(loss, flags.path("test_loss").asDouble(), 1e-4 * loss);
  }
}
