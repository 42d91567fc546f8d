package engram.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engram.testing.Cli;
import engram.testing.Subprocess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engram train} as two worker processes on loopback: started by {@code engram launch} (which
 * passes {@code --cluster --task}) or configured by TF_CONFIG alone, the job trains to the same
 * result, the one a single process reaches; a killed worker ends the job and --resume finishes it.
 */
class ClusterCliTest {

  /**
   * Runs the tiny run as a two-worker job into {@code out}, started by {@code engram launch} (which
   * passes --cluster and --task) or as two processes configured by TF_CONFIG alone; returns task
   * 0's result.json.
   */
  static JsonNode job(Path out, boolean tfConfig, Path logs) throws Exception {
    List<String> train = List.of(TinyRun.trainArgs(out, "--epochs", "1"));
    List<Process> tasks = new ArrayList<>();
    List<Path> logFiles = new ArrayList<>();
    if (tfConfig) {
      List<String> workers =
          List.of("localhost:" + Subprocess.freePort(), "localhost:" + Subprocess.freePort());
      for (int t = 0; t < 2; t++) {
        ProcessBuilder pb =
            Subprocess.engram(Path.of("").toAbsolutePath(), train.toArray(String[]::new));
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
        logFiles.add(logs.resolve("tfconfig-task" + t + ".log"));
        tasks.add(pb.redirectErrorStream(true).redirectOutput(logFiles.get(t).toFile()).start());
      }
    } else {
      List<String> args = new ArrayList<>(List.of("launch", "--workers", "2"));
      args.addAll(train.subList(1, train.size())); // without "train"
      ProcessBuilder pb =
          Subprocess.engram(Path.of("").toAbsolutePath(), args.toArray(String[]::new));
      logFiles.add(logs.resolve("launch.log"));
      tasks.add(pb.redirectErrorStream(true).redirectOutput(logFiles.get(0).toFile()).start());
    }
    for (int t = 0; t < tasks.size(); t++) {
      Process p = tasks.get(t);
      boolean done = p.waitFor(180, TimeUnit.SECONDS);
      if (!done) {
        tasks.forEach(Process::destroyForcibly);
      }
      assertTrue(done, "did not finish: " + Files.readString(logFiles.get(t)));
      assertEquals(0, p.exitValue(), Files.readString(logFiles.get(t)));
    }
    return new ObjectMapper().readTree(out.resolve("result.json").toFile());
  }

  @Test
  void launchAndTfConfigTrainTheSameJob(@TempDir Path tmp) throws Exception {
    JsonNode flags = job(tmp.resolve("flags"), false, tmp);
    JsonNode env = job(tmp.resolve("env"), true, tmp);
    assertEquals(flags.path("test_loss").asDouble(), env.path("test_loss").asDouble(), 0.0);
    assertEquals(flags.path("test_accuracy").asDouble(), env.path("test_accuracy").asDouble());

    // One process on the same global batch: the same run up to float32 summation order.
    Path single = tmp.resolve("single");
    Cli.Outcome o = Cli.engram(TinyRun.trainArgs(single, "--epochs", "1"));
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    JsonNode one = new ObjectMapper().readTree(single.resolve("result.json").toFile());
    double loss = one.path("test_loss").asDouble();
    assertEquals(loss, flags.path("test_loss").asDouble(), 1e-4 * loss);
  }

  @Test
  void launchTimesBenchStepsOverTwoWorkers(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("bench.csv");
    ProcessBuilder pb =
        Subprocess.engram(
            Path.of("").toAbsolutePath(),
            "launch",
            "--workers",
            "2",
            "bench",
            "--model",
            "lstm",
            "--batch",
            "4",
            "--seq",
            "3",
            "--hidden",
            "8",
            "--features",
            "5",
            "--warmup",
            "1",
            "--steps",
            "2",
            "--threads",
            "1",
            "--progress",
            "none",
            "--csv",
            csv.toString());
    Path log = tmp.resolve("launch.log");
    Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done = p.waitFor(180, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    assertTrue(done && p.exitValue() == 0, Files.readString(log));
    // Task 0 alone writes the row: the global batch of 4 over the job's 2 replicas.
    List<String> lines = Files.readAllLines(csv);
    assertEquals(2, lines.size(), String.join("\n", lines));
    List<String> header = List.of(lines.get(0).split(","));
    String[] row = lines.get(1).split(",");
    assertEquals("4", row[header.indexOf("batch")]);
    assertEquals("2", row[header.indexOf("replicas")]);
  }

  static Process worker(Path out, List<String> workers, int task, Path log, String... extra)
      throws IOException {
    List<String> args = new ArrayList<>(List.of(TinyRun.trainArgs(out, extra)));
    args.addAll(List.of("--cluster", String.join(",", workers), "--task", Integer.toString(task)));
    ProcessBuilder pb =
        Subprocess.engram(Path.of("").toAbsolutePath(), args.toArray(String[]::new));
    pb.environment().remove("TF_CONFIG");
    return pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * SIGKILL task 1 once the job has a checkpoint: task 0 exits with code 5 within 60 s, in one line
   * naming task 1; both tasks started again with --resume finish the job, with the weights and
   * optimizer state of an uninterrupted job, byte for byte.
   */
  @Test
  void aKilledWorkerEndsTheJobAndResumeFinishesIt(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    List<String> workers =
        List.of("localhost:" + Subprocess.freePort(), "localhost:" + Subprocess.freePort());
    // Far more epochs than a fast machine can finish before the kill: the job must still run then.
    String[] longRun = {"--epochs", "100000", "--step-timeout", "5", "--threads", "1"};
    Process task0 = worker(out, workers, 0, tmp.resolve("t0.log"), longRun);
    Process task1 = worker(out, workers, 1, tmp.resolve("t1.log"), longRun);
    try {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      Path pointer = out.resolve("checkpoint.json");
      while (!(Files.exists(pointer) && Files.readString(pointer).contains("\"latest\""))) {
        assertTrue(
            System.nanoTime() < until, "no checkpoint: " + Files.readString(tmp.resolve("t0.log")));
        assertTrue(task0.isAlive(), Files.readString(tmp.resolve("t0.log")));
        Thread.sleep(200);
      }
      Thread.sleep(1000);
      task1.destroyForcibly();
      long killed = System.nanoTime();
      assertTrue(task0.waitFor(60, TimeUnit.SECONDS), "task 0 still runs 60 s after the kill");
      double seconds = (System.nanoTime() - killed) / 1e9;
      String log = Files.readString(tmp.resolve("t0.log"));
      assertEquals(Main.EXIT_WORKER, task0.exitValue(), log);
      List<String> errors = log.lines().filter(l -> l.startsWith("engram: ")).toList();
      assertEquals(1, errors.size(), log);
      assertTrue(errors.get(0).contains("task 1 (" + workers.get(1) + ") does not answer"), log);
      assertTrue(errors.get(0).contains("--resume"), log);
      System.out.printf("task 0 exited %.1f s after task 1 was killed%n", seconds);
    } finally {
      task0.destroyForcibly();
      task1.destroyForcibly();
    }

    String done = Files.readString(out.resolve("checkpoint.json"));
    int epochs =
        Integer.parseInt(done.replaceAll("(?s).*\"latest\"\\s*:\\s*\"epoch-(\\d+)\".*", "$1")) + 1;
    List<String> again =
        List.of("localhost:" + Subprocess.freePort(), "localhost:" + Subprocess.freePort());
    String[] resume = {
      "--epochs", Integer.toString(epochs), "--step-timeout", "5", "--threads", "1", "--resume"
    };
    Process r0 = worker(out, again, 0, tmp.resolve("r0.log"), resume);
    Process r1 = worker(out, again, 1, tmp.resolve("r1.log"), resume);
    try {
      assertTrue(r0.waitFor(180, TimeUnit.SECONDS) && r1.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, r0.exitValue(), Files.readString(tmp.resolve("r0.log")));
      assertEquals(0, r1.exitValue(), Files.readString(tmp.resolve("r1.log")));
    } finally {
      r0.destroyForcibly();
      r1.destroyForcibly();
    }
    JsonNode result = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertEquals(epochs, result.path("epochs").asInt(), result.toString());

    Path straight = tmp.resolve("straight");
    List<String> fresh =
        List.of("localhost:" + Subprocess.freePort(), "localhost:" + Subprocess.freePort());
    String[] whole = {"--epochs", Integer.toString(epochs), "--threads", "1"};
    Process s0 = worker(straight, fresh, 0, tmp.resolve("s0.log"), whole);
    Process s1 = worker(straight, fresh, 1, tmp.resolve("s1.log"), whole);
    try {
      assertTrue(s0.waitFor(180, TimeUnit.SECONDS) && s1.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, s0.exitValue(), Files.readString(tmp.resolve("s0.log")));
    } finally {
      s0.destroyForcibly();
      s1.destroyForcibly();
    }
    String weights = String.format("checkpoints/epoch-%04d/variables.data-00000-of-00001", epochs);
    assertArrayEquals(
        Files.readAllBytes(straight.resolve(weights)),
        Files.readAllBytes(out.resolve(weights)),
        "the resumed job must end with the uninterrupted job's weights and optimizer state");
  }
}
