package engram.cli;

import static engram.cli.CliErrorsTest.assertOneLineError;
import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** babi's and export's edges: no empty --out, no NaN mean, no temporary directories for good. */
class SmallFailuresTest {

  static final Path BABI_1K = TinyRun.DATA.resolve("babi/tasks_1-20_v1-2/en");

  @Test
  void babiLeavesNoEmptyOutOnADataError(@TempDir Path tmp) throws IOException {
    // Task 1's training file without its test file.
    Path en = Files.createDirectories(tmp.resolve("data/babi/tasks_1-20_v1-2/en"));
    String train = "qa1_single-supporting-fact_train.txt";
    Files.copy(BABI_1K.resolve(train), en.resolve(train));
    Path out = tmp.resolve("out");
    assertOneLineError(engram(TinyRun.babiArgs(tmp.resolve("data"), out)), Main.EXIT_DATA, "qa1_");
    assertFalse(Files.exists(out), "no empty --out left behind");
  }

  @Test
  void babiWithEveryTaskSkippedSaysNoTaskRan(@TempDir Path tmp) throws IOException {
    // The shared en-10k lacks task 3's training file (data README).
    Path out = tmp.resolve("out");
    Cli.Outcome o =
        engram(
            "babi",
            "--tasks",
            "3",
            "--set",
            "10k",
            "--data-dir",
            TinyRun.DATA.toString(),
            "--out",
            out.toString());
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    assertTrue(o.out().contains("no task ran"), o.out());
    String md = Files.readString(out.resolve("results.md"));
    assertTrue(md.contains("**No task ran**"), md);
    assertFalse(md.contains("NaN"), md);
  }

  @Test
  void exportCleansUpWhatAKilledExportLeft(@TempDir Path tmp) throws IOException {
    Path run = TinyRun.train(tmp.resolve("run"), "--epochs", "1");
    // PIDs on Linux stay below 2^22, so this one belongs to no live process.
    long dead = (1L << 22) + 1;
    Path tmpDir = Files.createDirectories(tmp.resolve(".model.tmp-" + dead));
    Files.writeString(tmpDir.resolve("saved_model.pb"), "half");
    Path other = Files.createDirectories(tmp.resolve(".other.tmp-" + dead));
    TinyRun.export(run, tmp.resolve("model"));
    assertFalse(Files.exists(tmpDir), "the killed export's temporary directory is gone");
    assertTrue(Files.exists(other), "another model's directory is left alone");

    // Killed after moving the old model aside: the old one is put back, then replaced.
    Path model = tmp.resolve("model");
    Path aside = tmp.resolve(".model.old-" + dead);
    Files.move(model, aside);
    Cli.Outcome o = engram(TinyRun.exportArgs(run, model));
    assertOneLineError(o, Main.EXIT_USAGE, model.toString(), "already exists", "--force");
    assertTrue(Files.exists(model.resolve("saved_model.pb")), "the old model is back");
    assertFalse(Files.exists(aside));
  }

  @Test
  void exportOfAMissingRunDoesNotMentionResume(@TempDir Path tmp) {
    Cli.Outcome o =
        engram(
            "export",
            "--run",
            tmp.resolve("nothing").toString(),
            "--out",
            tmp.resolve("m").toString());
    assertOneLineError(o, Main.EXIT_DATA, "nothing", "no such run directory", "--run");
    assertFalse(o.err().contains("--resume"), o.err());
  }
}
