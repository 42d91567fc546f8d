package engram.cli;

import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.testing.Cli;
import engram.testing.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small real run for the failure tests: LSTM(8) on 300 MNIST examples, 3 epochs of 9 steps,
 * trained once per test class and copied into each test's directory.
 */
final class TinyRun {

  static final Path DATA = CliErrorsTest.DATA;

  private TinyRun() {}

  /**
   * The train command line of the tiny run into {@code out}, plus {@code extra} flags (an --epochs
   * among them replaces the default 3).
   */
  static String[] trainArgs(Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--model",
                "lstm",
                "--hidden",
                "8",
                "--epochs",
                "3",
                "--batch",
                "32",
                "--train-limit",
                "300",
                "--test-limit",
                "64",
                "--data-dir",
                DATA.toString(),
                "--out",
                out.toString(),
                "--progress",
                "none"));
    if (List.of(extra).contains("--epochs")) {
      int at = args.indexOf("--epochs");
      args.subList(at, at + 2).clear();
    }
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /** Trains the tiny run into {@code out}. */
  static Path train(Path out, String... extra) {
    Cli.Outcome o = engram(trainArgs(out, extra));
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    return out;
  }

  /** The export command line of run {@code run} to {@code out}. */
  static String[] exportArgs(Path run, Path out) {
    return new String[] {
      "export", "--run", run.toString(), "--out", out.toString(), "--data-dir", DATA.toString()
    };
  }

  /** Exports run {@code run} to {@code out}. */
  static Path export(Path run, Path out) {
    Cli.Outcome o = engram(exportArgs(run, out));
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    return out;
  }

  /** A one-epoch bAbI 1k task-1 benchmark into {@code out}, reading {@code data}. */
  static String[] babiArgs(Path data, Path out) {
    return new String[] {
      "babi",
      "--tasks",
      "1",
      "--set",
      "1k",
      "--epochs",
      "1",
      "--data-dir",
      data.toString(),
      "--out",
      out.toString()
    };
  }

  /** A copy of {@code from} at {@code to}. */
  static Path copy(Path from, Path to) {
    Snapshot.copyTree(from, to);
    return to;
  }
}
