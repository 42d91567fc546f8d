package engram.cli;

import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --verbose} works on every subcommand that can fail: the one-line message first, then the
 * stack trace. ({@code doctor} always exits 0 and has nothing to trace.)
 */
class VerboseTest {

  @Test
  void everySubcommandPrintsTheStackTrace(@TempDir Path tmp) {
    String missing = tmp.resolve("missing").toString();
    List<String[]> failing =
        List.of(
            new String[] {"train", "--resume", "--out", missing},
            new String[] {"evaluate", "--run", missing},
            new String[] {"babi", "--tasks", "21"},
            new String[] {"export", "--run", missing, "--out", tmp.resolve("m").toString()},
            new String[] {"predict", "--model", missing},
            new String[] {"viz", "--run", missing},
            new String[] {"bench", "--model", "lstm", "--batch", "0"},
            new String[] {"import-keras", missing + ".weights.h5", "--out", missing});
    for (String[] args : failing) {
      String[] verbose = new String[args.length + 1];
      System.arraycopy(args, 0, verbose, 0, args.length);
      verbose[args.length] = "--verbose";
      Cli.Outcome quiet = engram(args);
      Cli.Outcome loud = engram(verbose);
      String command = args[0];
      assertTrue(quiet.code() > 0, command + " fails: " + quiet.err());
      assertEquals(quiet.code(), loud.code(), command);
      assertEquals(1, quiet.err().strip().lines().count(), command + ": " + quiet.err());
      List<String> lines = loud.err().lines().toList();
      assertEquals(quiet.err().strip(), lines.get(0), command + ": the same first line");
      assertTrue(
          lines.stream().anyMatch(l -> l.startsWith("\tat engram.")),
          command + " --verbose prints the stack trace: " + loud.err());
    }
  }
}
