package engram.cli;

import static engram.cli.CliErrorsTest.assertOneLineError;
import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli;
import engram.testing.Snapshot;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resume} takes the original command line back: flags equal to the saved config are
 * accepted, other values are refused naming the key (exit 2), and so is an --epochs below the
 * epochs done; a refused resume changes nothing.
 */
class ResumeFlagsTest {

  @TempDir static Path shared;
  static Path run;

  @BeforeAll
  static void trainOnce() {
    run = TinyRun.train(shared.resolve("run"));
  }

  @Test
  void theOriginalCommandWithResumeAddedWorks(@TempDir Path tmp) {
    Path copy = TinyRun.copy(run, tmp.resolve("run"));
    Cli.Outcome o = engram(TinyRun.trainArgs(copy, "--resume", "--epochs", "4"));
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    assertTrue(o.out().contains("after 4 epochs"), o.out());
  }

  @Test
  void otherValuesAreRefusedByKey(@TempDir Path tmp) {
    Path copy = TinyRun.copy(run, tmp.resolve("run"));
    Map<String, String> before = Snapshot.of(copy);
    assertOneLineError(
        engram(TinyRun.trainArgs(copy, "--resume", "--lr", "0.01")),
        Main.EXIT_USAGE,
        "train.learningRate is 0.001 in the saved config, not 0.01",
        "only --epochs may change");
    assertOneLineError(
        engram(TinyRun.trainArgs(copy, "--resume", "--set", "model.dropout=0.5")),
        Main.EXIT_USAGE,
        "model.dropout is 0.0 in the saved config, not 0.5");
    assertOneLineError(
        engram("train", "--resume", "--out", copy.toString(), "--model", "gru"),
        Main.EXIT_USAGE,
        "--model gru",
        "lstm");
    assertEquals(before, Snapshot.of(copy));
  }

  @Test
  void fewerEpochsThanDoneAreRefused(@TempDir Path tmp) {
    Path copy = TinyRun.copy(run, tmp.resolve("run"));
    Map<String, String> before = Snapshot.of(copy);
    assertOneLineError(
        engram(TinyRun.trainArgs(copy, "--resume", "--epochs", "2")),
        Main.EXIT_USAGE,
        "--epochs 2 is below the 3 epochs",
        copy.toString());
    assertEquals(before, Snapshot.of(copy));
  }
}
