package engram.cli;

import static engram.cli.CliErrorsTest.assertOneLineError;
import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.io.RunLock;
import engram.testing.Cli;
import engram.testing.Snapshot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run per directory: while another live process holds a run directory, train and babi into it
 * are refused in one line (exit 3) and change nothing; once that process dies, even by SIGKILL, the
 * directory is free again.
 */
class RunLockTest {

  @Test
  void aSecondWriterIsRefusedUntilTheFirstDies(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    Files.createDirectories(out);
    Files.writeString(out.resolve("notes.txt"), "keep me");
    Process holder = holdLock(out);
    try {
      Map<String, String> before = Snapshot.of(out);
      assertOneLineError(
          engram(TinyRun.trainArgs(out)),
          Main.EXIT_DATA,
          out.toString(),
          "in use by another engram run",
          "pid " + holder.pid(),
          "--out");
      assertOneLineError(
          engram(TinyRun.babiArgs(TinyRun.DATA, out)), Main.EXIT_DATA, out.toString(), "in use");
      assertEquals(before, Snapshot.of(out));
    } finally {
      holder.destroyForcibly(); // SIGKILL: no chance to release anything itself
      holder.waitFor();
    }
    Cli.Outcome o = engram(TinyRun.trainArgs(out, "--epochs", "1"));
    assertEquals(Main.EXIT_OK, o.code(), "a killed holder leaves no stale lock: " + o.err());
  }

  @Test
  void twoRunsInOneProcessAreRefusedToo(@TempDir Path tmp) throws Exception {
    try (RunLock first = RunLock.acquire(tmp, "--out")) {
      assertOneLineError(engram(TinyRun.trainArgs(tmp)), Main.EXIT_DATA, tmp.toString(), "in use");
    }
  }

  /** Starts a JVM that holds {@code dir}'s lock, and waits until it does. */
  static Process holdLock(Path dir) throws Exception {
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "engram.testing.HoldRunLock",
                    dir.toString()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("locked", out.readLine(), "the holder took the lock");
    return p;
  }
}
