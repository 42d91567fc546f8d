package engram.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes that either happen completely or not at all, so a crash never leaves half a file. A failed
 * write (a full disk, say) leaves the old file as it was, removes its temporary sibling and throws
 * a {@link FileProblem} that names the file and the reason.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  /**
   * Writes {@code text} to a temporary sibling, forces it to disk, then renames it over {@code
   * file}.
   */
  public static void writeString(Path file, String text) throws IOException {
    write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The rows of a CSV file, printed after its header. */
  @FunctionalInterface
  public interface CsvRows {
    void print(CSVPrinter csv) throws IOException;
  }

  /** Writes a CSV file like {@link #writeString}: the {@code header} line, then the rows. */
  public static void writeCsv(Path file, String[] header, CsvRows rows) throws IOException {
    StringWriter text = new StringWriter();
    try (CSVPrinter csv =
        new CSVPrinter(text, CSVFormat.DEFAULT.builder().setHeader(header).build())) {
      rows.print(csv);
    }
    writeString(file, text.toString());
  }

  /**
   * Writes {@code bytes} like {@link #writeString}. An existing device or pipe ({@code
   * /dev/stdout}, a FIFO) cannot be replaced by a rename, so it is written directly.
   */
  public static void write(Path file, byte[] bytes) throws IOException {
    if (Files.exists(file) && !Files.isRegularFile(file) && !Files.isDirectory(file)) {
      try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
        out.write(bytes);
      } catch (IOException e) {
        throw FileProblem.cannotWrite(file, e, null);
      }
      return;
    }
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          ch.write(buffer);
        }
        ch.force(true);
      }
      move(tmp, file);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e instanceof FileProblem p ? p : FileProblem.cannotWrite(file, e, null);
    }
  }

  /** Renames {@code source} to {@code target}, atomically where the file system allows. */
  public static void move(Path source, Path target) throws IOException {
    try {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes a directory tree if it exists. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
