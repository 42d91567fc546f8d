package engram.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The private run directory of a worker other than task 0: the job's run directory is task 0's
 * alone, so the other tasks train in a scratch directory that is deleted when the process exits. On
 * {@code --resume} it starts as a copy of the job's run directory, so every task continues from
 * task 0's last checkpoint (the job's directory must then be readable by every task: the same
 * machine, or a shared file system).
 */
final class WorkerDirectory {

  private WorkerDirectory() {}

  static Path of(Path jobDir, int task, boolean resume) throws IOException {
    Path dir = Files.createTempDirectory("engram-task" + task + "-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
    if (resume) {
      if (!Files.isDirectory(jobDir)) {
        throw new IllegalArgumentException(
            "--resume: task "
                + task
                + " cannot read the job's run directory "
                + jobDir
                + "; every task resumes from task 0's checkpoint, so share that directory");
      }
      try (Stream<Path> files = Files.walk(jobDir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Path to = dir.resolve(jobDir.relativize(f).toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(to);
          } else if (!f.getFileName().toString().endsWith(".lock")) {
            Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
    return dir;
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort at exit: a temporary directory left behind is harmless
    }
  }
}
