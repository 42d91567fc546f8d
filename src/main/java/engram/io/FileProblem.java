package engram.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * A file or directory engram reads or writes is missing, damaged, in use or cannot be written.
 *
 * <p>The message is one line, {@code <path>: <what is wrong>; <what to do>}, which the command line
 * prints as it is, with exit code 3.
 */
public class FileProblem extends IOException {

  private static final long serialVersionUID = 1L;

  /**
   * TensorFlow's and the OS's messages on broken files, and what they mean, in short. The first is
   * a full disk (ENOSPC), which TensorFlow's messages quote as the OS words it.
   */
  private static final String[][] KNOWN = {
    {"No space left on device", "no space left on device"},
    {"Checksum does not match", "checksum mismatch"},
    {"checksum mismatch", "checksum mismatch"},
    {"Read less bytes than requested", "the file ends early"},
    {"not an sstable", "not a TensorFlow checkpoint index"},
    {"Can't parse", "not a SavedModel protocol buffer"},
  };

  private final transient Path path;
  private final String detail;

  /**
   * @param path the offending file or directory
   * @param detail what is wrong and what to do; the path is prepended
   */
  public FileProblem(Path path, String detail) {
    this(path, detail, null);
  }

  /**
   * @param path the offending file or directory
   * @param detail what is wrong and what to do; the path is prepended
   * @param cause the low-level failure, or {@code null}
   */
  public FileProblem(Path path, String detail, Throwable cause) {
    super(oneLine(Objects.requireNonNull(path, "path") + ": " + detail), cause);
    this.path = path;
    this.detail = detail;
  }

  /** This problem with {@code more} advice appended, e.g. how to resume once it is fixed. */
  public FileProblem withAdvice(String more) {
    return new FileProblem(path, detail + "; " + more, this);
  }

  /** The offending file or directory, as the caller named it (not made absolute). */
  public Path path() {
    return path;
  }

  /**
   * A failed write of {@code file}: the operating system's reason, then {@code fix} (null: a
   * generic one for the reason). For a full disk the reason reads "no space left on device".
   */
  public static FileProblem cannotWrite(Path file, Throwable cause, String fix) {
    String reason = reason(cause);
    return new FileProblem(
        file, "cannot write it (" + reason + "); " + (fix != null ? fix : fixFor(reason)), cause);
  }

  /** A failed read of {@code file}, with the operating system's reason. */
  public static FileProblem cannotRead(Path file, Throwable cause) {
    String reason = reason(cause);
    return new FileProblem(file, "cannot read it (" + reason + "); " + fixFor(reason), cause);
  }

  /**
   * A JDK file-system exception, whose message is often a bare path ({@code runs/x}), as a
   * FileProblem with the reason and a generic fix.
   */
  public static FileProblem of(FileSystemException e) {
    String reason = reason(e);
    Path file = Path.of(e.getFile() == null ? "." : e.getFile());
    return new FileProblem(file, reason + "; " + fixFor(reason), e);
  }

  /**
   * Why a file operation failed, in lower case: "no space left on device", "permission denied", "no
   * such file or directory", ... For TensorFlow's errors the text before its node names.
   */
  public static String reason(Throwable e) {
    if (e instanceof FileSystemException f) {
      if (f.getReason() != null) {
        return lowerFirst(f.getReason());
      }
      if (f instanceof NoSuchFileException) return "no such file or directory";
      if (f instanceof AccessDeniedException) return "permission denied";
      if (f instanceof FileAlreadyExistsException) return "already exists";
      if (f instanceof NotDirectoryException) return "not a directory";
      if (f instanceof DirectoryNotEmptyException) return "directory not empty";
    }
    String message = String.valueOf(e.getMessage());
    for (String[] known : KNOWN) {
      if (message.contains(known[0])) {
        return known[1];
      }
    }
    int node = message.indexOf(" [[");
    return lowerFirst(oneLine(node > 0 ? message.substring(0, node) : message));
  }

  /**
   * Which file of a TensorFlow checkpoint with prefix {@code prefix} ({@code prefix.index} or
   * {@code prefix.data-00000-of-00001}) TensorFlow's error {@code message} is about.
   */
  public static Path checkpointFile(Path prefix, String message) {
    String m = String.valueOf(message);
    return m.contains(".index") || m.contains("sstable") || m.contains("Unable to read file")
        ? Path.of(prefix + ".index")
        : Path.of(prefix + ".data-00000-of-00001");
  }

  private static String fixFor(String reason) {
    if (reason.startsWith("no space")) {
      return "free space on that disk, or write somewhere else";
    }
    if (reason.contains("permission") || reason.contains("read-only")) {
      return "check its permissions, or write somewhere else";
    }
    return "check the path";
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
  }

  // Low-level messages (TensorFlow's, the JDK's zip code) may carry line breaks; the CLI contract
  // is one line per error, so fold them here rather than at every call site.
  private static String oneLine(String message) {
    return message.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
