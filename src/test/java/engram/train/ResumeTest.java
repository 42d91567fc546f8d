package engram.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli;
import engram.testing.Subprocess;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process killed with SIGKILL in the middle of an epoch resumes from its last epoch
 * checkpoint, finishes, and ends with exactly the weights of a run that was never interrupted.
 */
class ResumeTest {

  static final Path DATA = Path.of("..", "shared", "data").toAbsolutePath();

  static String[] args(Path out, String... progress) {
    List<String> a =
        new java.util.ArrayList<>(
            List.of(
                "train",
                "--model",
                "lstm",
                "--hidden",
                "8",
                "--epochs",
                "3",
                "--batch",
                "16",
                "--train-limit",
                "640",
                "--test-limit",
                "64",
                "--threads",
                "1",
                "--data-dir",
                DATA.toString(),
                "--out",
                out.toString()));
    a.addAll(List.of(progress));
    return a.toArray(String[]::new);
  }

  static int runInProcess(String... args) {
    Cli.Outcome o = Cli.engram(args);
    assertEquals(0, o.code(), "engram failed: " + o.err());
    return o.code();
  }

  @Test
  void killedMidEpochResumesAndMatchesAnUninterruptedRun(@TempDir Path tmp) throws Exception {
    Path killed = tmp.resolve("killed");
    Process p =
        Subprocess.engram(tmp, args(killed, "--progress", "log", "--log-every", "1")).start();
    boolean sawEpoch2 = false;
    try (BufferedReader err = Subprocess.stderr(p)) {
      String line;
      while ((line = err.readLine()) != null) {
        // 576 training examples / 16 = 36 steps per epoch; kill at step 3 of epoch 2.
        if (line.contains("epoch 2/3 3/36")) {
          sawEpoch2 = true;
          p.destroyForcibly();
          break;
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "killed process did not exit");
    assertTrue(sawEpoch2, "the run never reached epoch 2 (exit " + p.exitValue() + ")");
    assertTrue(p.exitValue() != 0, "the process must have been killed, not have finished");
    assertTrue(Files.isDirectory(killed.resolve("checkpoints/epoch-0001")));
    assertFalse(
        Files.exists(killed.resolve("checkpoints/epoch-0002")), "killed before epoch 2 ended");
    assertFalse(Files.exists(killed.resolve("result.json")));
    assertEquals(2, Files.readAllLines(killed.resolve("metrics.csv")).size(), "header + epoch 1");

    runInProcess(
        "train",
        "--resume",
        "--out",
        killed.toString(),
        "--data-dir",
        DATA.toString(),
        "--threads",
        "1",
        "--progress",
        "none");
    Path straight = tmp.resolve("straight");
    runInProcess(args(straight, "--progress", "none"));

    assertEquals(4, Files.readAllLines(killed.resolve("metrics.csv")).size(), "header + 3 epochs");
    String weights = "checkpoints/epoch-0003/variables.data-00000-of-00001";
    assertArrayEquals(
        Files.readAllBytes(straight.resolve(weights)),
        Files.readAllBytes(killed.resolve(weights)),
        "resumed run must end with the uninterrupted run's weights and optimizer state");
    assertEquals(lossColumns(straight), lossColumns(killed));
  }

  /** metrics.csv without the timing columns. */
  private static List<String> lossColumns(Path run) throws Exception {
    return Files.readAllLines(run.resolve("metrics.csv")).stream()
        .map(l -> String.join(",", List.of(l.split(",")).subList(0, 6)))
        .toList();
  }
}
