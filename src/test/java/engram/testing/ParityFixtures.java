package engram.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where the recorded outputs of the Python reference live: {@code src/test/resources/parity} (the
 * committed fixtures), or the folder named by {@code -Dengram.parity.dir}, which {@code
 * parity/check.sh} fills with freshly generated ones.
 */
public final class ParityFixtures {

  private ParityFixtures() {}

  public static Path dir() {
    String override = System.getProperty("engram.parity.dir");
    return override != null && !override.isBlank()
        ? Path.of(override)
        : Path.of("src", "test", "resources", "parity");
  }

  /** "committed" or "fresh": which fixtures {@link #dir()} holds. */
  public static String source() {
    String override = System.getProperty("engram.parity.dir");
    return override != null && !override.isBlank() ? "fresh" : "committed";
  }

  /** Starts report {@code target/parity-report/<name>-<source>.md} with its header lines. */
  public static void startReport(String name, String... header) throws IOException {
    Path out = reportFile(name);
    Files.createDirectories(out.getParent());
    Files.writeString(out, String.join("\n", header) + "\n", StandardCharsets.UTF_8);
  }

  /** Appends a line to report {@code name} (the numbers behind PARITY.md). */
  public static void report(String name, String line) throws IOException {
    Path out = reportFile(name);
    Files.createDirectories(out.getParent());
    Files.writeString(
        out,
        line + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private static Path reportFile(String name) {
    return Path.of("target", "parity-report", name + "-" + source() + ".md");
  }
}
