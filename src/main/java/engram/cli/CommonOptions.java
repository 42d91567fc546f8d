package engram.cli;

import engram.train.Progress;
import java.nio.file.Path;
import java.util.Locale;
import org.tensorflow.proto.ConfigProto;
import picocli.CommandLine.Option;

/** Options every command that runs a model shares. */
final class CommonOptions {

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "${env:ENGRAM_DATA:-./data}",
      description =
          "Folder holding mnist/ (default: $ENGRAM_DATA, else ./data; currently ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "TensorFlow intra-op threads (default: all cores).")
  Integer threads;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      defaultValue = "auto",
      description = "auto (bar on a terminal, else log), bar, log or none.")
  String progress;

  @Option(
      names = "--log-every",
      paramLabel = "N",
      description = "In log mode, a line every N steps (default: 10 %% of an epoch).")
  Integer logEvery;

  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  Progress progress() {
    return switch (progress.toLowerCase(Locale.ROOT)) {
      case "auto" -> logEvery != null ? Progress.log(logEvery) : Progress.auto();
      case "bar" -> Progress.bar();
      case "log" -> logEvery != null ? Progress.log(logEvery) : Progress.tenPercent();
      case "none" -> Progress.none();
      default ->
          throw new IllegalArgumentException(
              "--progress must be auto, bar, log or none, got '" + progress + "'");
    };
  }

  /** TensorFlow session options, or null for TensorFlow's defaults. */
  ConfigProto sessionConfig() {
    if (threads == null) {
      return null;
    }
    if (threads <= 0) {
      throw new IllegalArgumentException("--threads must be > 0, got " + threads);
    }
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads)
        .setInterOpParallelismThreads(threads)
        .build();
  }
}
