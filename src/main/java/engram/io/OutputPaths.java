package engram.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks that an output can be written before the work that produces it, so that an hour of
 * training or evaluation does not end in "cannot write". Each check tries what the write will do
 * (creating a file in the directory) rather than trusting permission bits, which say nothing for
 * root, read-only mounts or full disks.
 */
public final class OutputPaths {

  private OutputPaths() {}

  /**
   * {@code file} can be created or replaced: it is not a directory, its directory exists and takes
   * a new file. An existing device or pipe ({@code /dev/stdout}) only needs to be writable.
   *
   * @param flag the option that named {@code file}, for the fix (e.g. {@code --logits})
   */
  public static void checkFile(Path file, String flag) throws FileProblem {
    if (Files.isDirectory(file)) {
      throw new FileProblem(
          file, "is a directory; " + flag + " takes a file name, e.g. " + file.resolve("out.csv"));
    }
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      if (!Files.isWritable(file)) {
        throw new FileProblem(file, "cannot be written; choose another " + flag);
      }
      return;
    }
    Path parent = file.toAbsolutePath().normalize().getParent();
    if (!Files.isDirectory(parent)) {
      throw new FileProblem(
          file,
          "its directory "
              + parent
              + (Files.exists(parent) ? " is not a directory" : " does not exist")
              + "; create it (mkdir -p "
              + parent
              + ") or choose another "
              + flag);
    }
    probe(parent, file, flag);
  }

  /**
   * {@code dir} is, or can be created as, a directory that takes new files: it is not a file, and
   * it (or its nearest existing ancestor) accepts a new file.
   *
   * @param flag the option that named {@code dir}, for the fix (e.g. {@code --out})
   */
  public static void checkDirectory(Path dir, String flag) throws FileProblem {
    Path existing = dir.toAbsolutePath().normalize();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new FileProblem(dir, "no part of this path exists; choose another " + flag);
    }
    if (!Files.isDirectory(existing)) {
      throw new FileProblem(
          dir,
          (existing.equals(dir.toAbsolutePath().normalize())
                  ? "is a file, not a directory"
                  : existing + " is a file, not a directory")
              + "; choose another "
              + flag);
    }
    probe(existing, dir, flag);
  }

  /** Creates and deletes a hidden file in {@code dir}: what the real write will need first. */
  private static void probe(Path dir, Path named, String flag) throws FileProblem {
    Path probe = dir.resolve(".engram-probe-" + ProcessHandle.current().pid());
    try {
      Files.newByteChannel(
              probe,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.DELETE_ON_CLOSE)
          .close();
    } catch (IOException e) {
      String where = dir.equals(named.toAbsolutePath().normalize()) ? "" : " in " + dir;
      throw new FileProblem(
          named,
          "cannot write" + where + " (" + FileProblem.reason(e) + "); choose another " + flag,
          e);
    }
  }
}
