package engram.testing;

import engram.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the engram command line in this JVM, as a user would, and keeps what it printed. */
public final class Cli {

  private Cli() {}

  /** What a command left: its exit code, stdout and stderr. */
  public record Outcome(int code, String out, String err) {}

  /** Runs {@code engram args...}. */
  public static Outcome engram(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Outcome(code, out.toString(), err.toString());
  }
}
