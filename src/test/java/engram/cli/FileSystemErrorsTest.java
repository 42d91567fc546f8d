package engram.cli;

import static engram.cli.CliErrorsTest.assertOneLineError;
import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.io.FileProblem;
import engram.testing.Cli;
import engram.testing.Snapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs that cannot be written end in one line naming the path, the reason and the fix, exit code
 * 3, with existing files unchanged; paths are checked before the work where they can be.
 *
 * <p>Real failures, no mocks: {@code /sys} refuses new files even to root, and {@code /dev/full}
 * fails every write with ENOSPC, the error of a full disk.
 */
class FileSystemErrorsTest {

  @TempDir static Path shared;
  static Path run;
  static Path model;
  static final String DATA = TinyRun.DATA.toString();

  @BeforeAll
  static void trainAndExportOnce() {
    run = TinyRun.train(shared.resolve("run"));
    model = TinyRun.export(run, shared.resolve("model"));
  }

  @Test
  void outThatIsAnExistingFile(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "keep me");
    assertOneLineError(
        engram(TinyRun.trainArgs(file)), Main.EXIT_DATA, file.toString(), "not a directory");
    assertOneLineError(
        engram("export", "--run", run.toString(), "--out", file.toString(), "--data-dir", DATA),
        Main.EXIT_DATA,
        file.toString(),
        "--out");
    assertEquals("keep me", Files.readString(file));
  }

  @Test
  void outInADirectoryThatRefusesNewFiles() {
    Path out = Path.of("/sys/engram-test-run");
    assertOneLineError(
        engram(TinyRun.trainArgs(out)), Main.EXIT_DATA, out.toString(), "cannot write", "--out");
    assertOneLineError(
        engram("export", "--run", run.toString(), "--out", out.toString(), "--data-dir", DATA),
        Main.EXIT_DATA,
        out.toString(),
        "cannot write");
    assertFalse(Files.exists(out));
  }

  @Test
  void outputFileInAMissingDirectoryIsRefusedBeforeTheWork(@TempDir Path tmp) {
    Path missing = tmp.resolve("no-such-dir");
    Path csv = missing.resolve("logits.csv");
    Cli.Outcome o =
        engram("evaluate", "--run", run.toString(), "--logits", csv.toString(), "--data-dir", DATA);
    assertOneLineError(o, Main.EXIT_DATA, csv.toString(), "does not exist", "mkdir -p", "--logits");
    assertEquals("", o.out(), "nothing was evaluated");
    for (String flag : new String[] {"--out", "--request"}) {
      Cli.Outcome p =
          engram("predict", "--model", model.toString(), flag, csv.toString(), "--data-dir", DATA);
      assertOneLineError(p, Main.EXIT_DATA, csv.toString(), "does not exist", flag);
      assertEquals("", p.out(), "nothing was predicted");
    }
    assertFalse(Files.exists(missing));
  }

  @Test
  void fullDiskNamesTheFileAndNoSpace() {
    // /dev/full is a device, so it is written directly (no temporary sibling): every write fails
    // with ENOSPC, as on a full disk.
    assertOneLineError(
        engram(
            "evaluate",
            "--run",
            run.toString(),
            "--logits",
            "/dev/full",
            "--data-dir",
            DATA,
            "--progress",
            "none"),
        Main.EXIT_DATA,
        "/dev/full",
        "no space left on device");
    assertOneLineError(
        engram("predict", "--model", model.toString(), "--out", "/dev/full", "--data-dir", DATA),
        Main.EXIT_DATA,
        "/dev/full",
        "no space left on device");
  }

  @Test
  void fullDiskDuringTrainingStopsAfterTheCheckpointAndResumes(@TempDir Path tmp)
      throws IOException {
    // metrics.csv is written through its temporary sibling; pointing that at /dev/full makes the
    // write fail with ENOSPC right after epoch 1's checkpoint, like a disk that fills up.
    Path out = Files.createDirectories(tmp.resolve("run"));
    Files.createSymbolicLink(out.resolve(".metrics.csv.tmp"), Path.of("/dev/full"));
    assertOneLineError(
        engram(TinyRun.trainArgs(out, "--epochs", "1")),
        Main.EXIT_DATA,
        out.resolve("metrics.csv").toString(),
        "no space left on device",
        "--resume --out " + out);
    assertFalse(Files.exists(out.resolve(".metrics.csv.tmp")), "no temporary file left");
    Map<String, String> checkpoint = Snapshot.of(out.resolve("checkpoints/epoch-0001"));
    assertEquals(3, checkpoint.size(), "epoch 1's checkpoint is whole: " + checkpoint);

    Cli.Outcome resumed = engram(TinyRun.trainArgs(out, "--epochs", "2", "--resume"));
    assertEquals(Main.EXIT_OK, resumed.code(), resumed.err());
    assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size(), "header + 2 epochs");
  }

  @Test
  void csvOfBenchIsCheckedFirst(@TempDir Path tmp) {
    assertOneLineError(
        engram("bench", "--model", "lstm", "--csv", tmp.toString()),
        Main.EXIT_DATA,
        tmp.toString(),
        "is a directory",
        "--csv");
  }

  @Test
  void reasonsOfTheJdkAndTensorFlow() throws IOException {
    // What TensorFlow 2.18 raised when a checkpoint filled a 40 kB tmpfs (recorded here).
    String tf =
        "/tmp/r/checkpoints/.tmp-epoch-0002/variables.data-00000-of-00001.tempstate817422694706;"
            + " No space left on device [[{{node save/Save}}]] Hint: If you want to see a list of"
            + " allocated tensors when OOM happens, add report_tensor_allocations_upon_oom";
    assertEquals("no space left on device", FileProblem.reason(new RuntimeException(tf)));
    IOException jdk;
    try (OutputStream full = Files.newOutputStream(Path.of("/dev/full"))) {
      full.write(new byte[1]);
      full.flush();
      throw new AssertionError("/dev/full accepted a write");
    } catch (IOException e) {
      jdk = e;
    }
    FileProblem p = FileProblem.cannotWrite(Path.of("runs/x/metrics.csv"), jdk, null);
    assertEquals(
        "runs/x/metrics.csv: cannot write it (no space left on device); free space on that disk,"
            + " or write somewhere else",
        p.getMessage());
    assertTrue(
        FileProblem.reason(new RuntimeException("Read less bytes than requested [[{{node x}}]]"))
            .equals("the file ends early"));
  }
}
