package engram.data;

import engram.io.FileProblem;
import java.nio.file.Path;

/**
 * A dataset file is missing, unreadable or not what it should be.
 *
 * <p>The message is a single line of the form {@code <file>: <what was expected>, <what was found>.
 * <how to fix it>} so that the CLI can print it as-is and a user can act on it without a stack
 * trace.
 */
public class DataException extends FileProblem {

  private static final long serialVersionUID = 1L;

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
    super(path, detail, cause);
  }
}
