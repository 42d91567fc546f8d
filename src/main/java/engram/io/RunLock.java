package engram.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * One writer per run directory: an exclusive lock on {@code <dir>/engram.lock}, held while a
 * command writes into the directory.
 *
 * <p>It is an operating-system lock ({@code fcntl}, through {@link FileChannel#tryLock()}), not the
 * file's existence: the kernel releases it when the process ends, however it ends, so a crashed or
 * killed run never leaves the directory locked. The file stays behind and says which process held
 * it last (pid and start time), which the refusal quotes.
 */
public final class RunLock implements AutoCloseable {

  /** The lock file's name inside the run directory. */
  public static final String FILE = "engram.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates {@code dir} if needed and locks it.
   *
   * @param flag the option that named {@code dir}, for the fix in error messages (e.g. {@code
   *     --out})
   * @throws FileProblem when {@code dir} is a file, cannot be written, or another live process
   *     holds its lock
   */
  public static RunLock acquire(Path dir, String flag) throws FileProblem {
    OutputPaths.checkDirectory(dir, flag);
    FileChannel channel;
    try {
      Files.createDirectories(dir);
      channel =
          FileChannel.open(
              dir.resolve(FILE),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw FileProblem.cannotWrite(dir, e, "choose another " + flag);
    }
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this very process, e.g. a second trainer in the same JVM
      }
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new FileProblem(
            dir,
            "in use by another engram run"
                + (holder.isEmpty() ? "" : " (" + holder + ")")
                + "; wait for it to finish, or choose another "
                + flag);
      }
      String me =
          "pid "
              + ProcessHandle.current().pid()
              + ", started "
              + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      return new RunLock(channel, lock);
    } catch (FileProblem e) {
      throw e;
    } catch (IOException e) {
      closeQuietly(channel);
      throw e instanceof FileSystemException f
          ? FileProblem.of(f)
          : FileProblem.cannotWrite(dir.resolve(FILE), e, null);
    }
  }

  /** What the lock file says of the process that holds it, e.g. "pid 123, started ...". */
  private static String holder(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(200);
    channel.read(buffer, 0);
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // already failing; the first error is the one to report
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
