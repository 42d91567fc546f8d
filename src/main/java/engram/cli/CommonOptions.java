package engram.cli;

import engram.data.Dataset;
import engram.data.Splits;
import engram.runtime.Compute;
import engram.runtime.Progress;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.LoggerFactory;
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
      names = "--device",
      paramLabel = "DEV",
      defaultValue = "auto",
      description = "auto (a GPU when TensorFlow sees one), cpu or gpu (default ${DEFAULT-VALUE}).")
  Compute.Device device;

  @Option(
      names = "--xla",
      paramLabel = "MODE",
      defaultValue = "auto",
      description =
          "XLA compilation: auto (on for GPU, off for CPU), on or off (default ${DEFAULT-VALUE}).")
  Compute.Xla xla;

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
      description =
          "In log mode, a line every N steps (default: 10 %% of an epoch, once a loop has run 5 s).")
  Integer logEvery;

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

  /** The split {@code --split} names: test, validation or train. */
  static Dataset split(Splits data, String split) {
    return switch (split.toLowerCase(Locale.ROOT)) {
      case "test" -> data.test();
      case "validation" -> data.validation();
      case "train" -> data.train();
      default ->
          throw new IllegalArgumentException(
              "--split must be test, validation or train, got '" + split + "'");
    };
  }

  /** Device, XLA and threads as chosen on the command line. */
  Compute compute() {
    return new Compute(device, xla, threads);
  }

  /**
   * The TensorFlow session options for {@link #compute()}. Commands resolve them first, so that
   * {@code --device gpu} on a machine without one fails before any work.
   */
  ConfigProto sessionConfig() {
    return compute().sessionConfig();
  }

  /** Logs where the work will run; commands call it once their inputs have checked out. */
  void logCompute() {
    LoggerFactory.getLogger("engram").info("compute: {}", compute().describe());
  }
}
