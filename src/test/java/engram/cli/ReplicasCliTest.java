package engram.cli;

import static engram.cli.CliErrorsTest.assertOneLineError;
import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --replicas}: a run trained on two CPU devices resumes on one, and bad lists fail.
 */
class ReplicasCliTest {

  @Test
  void aRunOnTwoDevicesResumesOnOne(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    Cli.Outcome two = engram(TinyRun.trainArgs(run, "--epochs", "1", "--replicas", "cpu:0,cpu:1"));
    assertEquals(Main.EXIT_OK, two.code(), two.err());
    assertTrue(Files.exists(run.resolve("result.json")));
    Cli.Outcome one = engram(TinyRun.trainArgs(run, "--epochs", "2", "--resume"));
    assertEquals(Main.EXIT_OK, one.code(), one.err());
    assertTrue(one.out().contains("after 2 epochs"), one.out());
  }

  @Test
  void badDeviceListsAreUsageErrors(@TempDir Path tmp) {
    assertOneLineError(
        engram(TinyRun.trainArgs(tmp.resolve("a"), "--replicas", "cpu:0,npu:1")),
        Main.EXIT_USAGE,
        "--replicas",
        "npu:1",
        "cpu:N or gpu:N");
    assertOneLineError(
        engram(TinyRun.trainArgs(tmp.resolve("b"), "--replicas", "gpu:0,gpu:1")),
        Main.EXIT_USAGE,
        "--replicas",
        "gpu:0");
    assertOneLineError(
        engram(
            TinyRun.trainArgs(
                tmp.resolve("c"), "--replicas", "cpu:0,cpu:1", "--set", "train.batchSize=1")),
        Main.EXIT_USAGE,
        "train.batchSize 1",
        "2 replicas");
  }
}
