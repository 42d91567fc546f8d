package engram.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A dataset file is missing, unreadable or not what it should be.
 *
 * <p>The message is a single line of the form {@code <file>: <what was expected>, <what was found>.
 * <how to fix it>} so that the CLI can print it as-is and a user can act on it without a stack
 * trace.
 */
public class DataException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path path;

  /**
   * @param path the offending file or directory
   * @param detail what was expected, what was found and the fix; the path is prepended
   */
  public DataException(Path path, String detail) {
    this(path, detail, null);
  }

  /**
   * @param path the offending file or directory
   * @param detail what was expected, what was found and the fix; the path is prepended
   * @param cause the low-level failure, or {@code null}
   */
  public DataException(Path path, String detail, Throwable cause) {
    super(oneLine(Objects.requireNonNull(path, "path") + ": " + detail), cause);
    this.path = path;
  }

  /** The offending file or directory, as the caller named it (not made absolute). */
  public Path path() {
    return path;
  }

  // Low-level messages (e.g. from the JDK's zip code) may carry line breaks; the CLI contract is
  // one line per error, so fold them here rather than at every call site.
  private static String oneLine(String message) {
    return message.replaceAll("\\s*\\R\\s*", " ");
  }
}
