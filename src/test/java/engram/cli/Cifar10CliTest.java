package engram.cli;

import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CIFAR-10 through the command line: a run on the exact records, scored on the lossy copy's test
 * images with evaluate --data-source (and the other way round, as RESULTS-cifar10.md does).
 */
class Cifar10CliTest {

  static final String DATA = CliErrorsTest.DATA.toString();

  @Test
  void trainsOnOneSourceAndScoresOnAnother(@TempDir Path dir) {
    Path run = dir.resolve("gru");
    Cli.Outcome t =
        engram(
            "train",
            "--model",
            "gru",
            "--dataset",
            "cifar10",
            "--set",
            "data.source=subset",
            "--hidden",
            "8,8",
            "--epochs",
            "1",
            "--train-limit",
            "600",
            "--data-dir",
            DATA,
            "--out",
            run.toString(),
            "--progress",
            "none");
    assertEquals(Main.EXIT_OK, t.code(), t.err());
    assertTrue(t.out().contains("test accuracy"), t.out());
    assertTrue(!t.out().contains("LOSSY"), "the exact records are not lossy: " + t.out());

    Cli.Outcome e =
        engram(
            "evaluate",
            "--run",
            run.toString(),
            "--data-source",
            "jpeg",
            "--data-dir",
            DATA,
            "--progress",
            "none");
    assertEquals(Main.EXIT_OK, e.code(), e.err());
    assertTrue(e.out().contains("(10000 examples"), "the lossy copy's whole test set: " + e.out());
    assertTrue(e.out().contains("LOSSY"), "and says so: " + e.out());

    Cli.Outcome wrong =
        engram("evaluate", "--run", run.toString(), "--data-source", "png", "--data-dir", DATA);
    assertEquals(Main.EXIT_USAGE, wrong.code());
    assertTrue(wrong.err().contains("binary, subset or jpeg"), wrong.err());
  }
}
