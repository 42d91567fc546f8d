package engram.cli;

import engram.bench.StepReport;
import engram.bench.StepSpec;
import engram.bench.StepTimer;
import engram.distributed.Cluster;
import engram.distributed.StepWatchdog;
import engram.distributed.WorkerFailure;
import engram.io.FileProblem;
import engram.io.OutputPaths;
import engram.models.ModelType;
import engram.runtime.Compute;
import engram.train.Bptt;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code engram bench}: times full training steps of the real training graph on random inputs and
 * appends the numbers to a CSV file.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Time full training steps (forward, backward, clipping, Adam) of a model on random inputs.",
      "Prints ms/step, sequences/s and peak memory, and appends a row to --csv.",
      "--replicas times data-parallel steps on several devices; engram launch --workers N bench"
          + " ... times them over N processes on this machine (--batch is the global batch).",
      "Defaults: the MNIST-rows presets' sizes; for hmem the bAbI task-2 shape."
    },
    sortOptions = false)
final class BenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Mixin JobOptions job;

  @Option(
      converter = Main.ModelTypes.class,
      names = "--model",
      required = true,
      paramLabel = "MODEL",
      description = "enn, lstm, gru, rnn or hmem.")
  ModelType model;

  @Option(
      names = "--batch",
      paramLabel = "B",
      split = ",",
      description = "Sequences per step (128); a list such as 128,512,2048 sweeps them.")
  List<Integer> batch;

  @Option(
      names = "--seq",
      paramLabel = "T",
      split = ",",
      description =
          "Time steps (28); for hmem statements per story S (88). A list such as 28,128 sweeps them.")
  List<Integer> seq;

  @Option(
      names = "--hidden",
      paramLabel = "H",
      description = "Recurrent width (128); for hmem the embedding width d (80).")
  Integer hidden;

  @Option(
      names = "--memory",
      paramLabel = "M",
      description = "ENN memory slots (64); for hmem the memory width m (100).")
  Integer memory;

  @Option(
      names = "--features",
      paramLabel = "D",
      description = "Inputs per time step (28, an MNIST row).")
  Integer features;

  @Option(names = "--width", paramLabel = "W", description = "hmem: words per statement (7).")
  Integer width;

  @Option(
      names = "--vocabulary",
      paramLabel = "V",
      description = "hmem: vocabulary size (40); --lm: words of the softmax (33,278, WikiText-2).")
  Integer vocabulary;

  @Option(
      names = "--lm",
      description =
          "Time a word-level language-model step: T token ids, an H-wide embedding tied to the"
              + " softmax over --vocabulary words at every step, the state carried between steps.")
  boolean lm;

  @Option(names = "--hops", paramLabel = "N", description = "hmem: memory queries (3).")
  Integer hops;

  @Option(names = "--warmup", paramLabel = "N", description = "Untimed steps first (10).")
  Integer warmup;

  @Option(names = "--steps", paramLabel = "N", description = "Timed steps (50).")
  Integer steps;

  @Option(
      names = "--csv",
      paramLabel = "FILE",
      defaultValue = "bench.csv",
      description = "CSV file the result row is appended to (${DEFAULT-VALUE}).")
  Path csv;

  @Option(
      names = "--window",
      paramLabel = "K",
      description =
          "Back-propagate in windows of K steps (0 = the whole sequence, the default); the graph"
              + " and XLA's compile time stay the size of one window.")
  int window;

  @Option(
      names = "--truncate",
      description = "With --window: gradients from the last window only (truncated BPTT).")
  boolean truncate;

  @Option(
      names = "--dump-trace",
      paramLabel = "FILE",
      hidden = true,
      description = "Write the traced step's RunMetadata (binary proto) here, for diagnosis.")
  Path dumpTrace;

  @Option(
      names = "--data-on-device",
      description =
          "Put the random examples on the device once and feed each step only its batch's row"
              + " numbers, as train.dataOnDevice does (default: each step's batch fed from the"
              + " host).")
  boolean dataOnDevice;

  @Option(
      names = "--precision",
      paramLabel = "P",
      description = "fp32 (the default), bf16 (mixed precision, as train --precision) or fp64.")
  String precision = "fp32";

  @Option(
      names = "--fetch-every",
      paramLabel = "N",
      description =
          "Fetch the training scores every N steps; in between they wait on the device, as"
              + " train.fetchEvery lets them (default: 1, every step fetches its own).")
  int fetchEvery = 1;

  @Override
  public Integer call() throws Exception {
    Compute compute = common.compute();
    compute.resolvedDevice(); // fails now, in one line, when --device gpu cannot be had
    if (Files.isDirectory(csv)) {
      throw new FileProblem(csv, "is a directory; --csv takes a file name, e.g. bench.csv");
    }
    OutputPaths.checkDirectory(csv.toAbsolutePath().normalize().getParent(), "--csv");
    StepSpec d = StepSpec.defaults(model);
    List<StepSpec> specs = new ArrayList<>();
    for (int t : seq == null ? List.of(d.seq()) : seq) {
      for (int b : batch == null ? List.of(d.batch()) : batch) {
        specs.add(
            new StepSpec(
                model,
                b,
                t,
                or(hidden, d.hidden()),
                or(memory, d.memory()),
                or(features, d.features()),
                or(width, d.width()),
                or(vocabulary, d.vocabulary()),
                or(hops, d.hops()),
                or(warmup, d.warmup()),
                or(steps, d.steps()),
                d.seed(),
                new Bptt(window, truncate)));
        if (lm) {
          int last = specs.size() - 1;
          specs.set(last, specs.get(last).withLanguageModel(true, or(vocabulary, 33_278)));
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    LoggerFactory.getLogger("engram")
        .info("bench {} configuration(s) of {} on {}", specs.size(), model, compute.describe());
    Cluster cluster = job.cluster();
    StepTimer.Placement placement =
        new StepTimer.Placement(
            job.replicas(compute),
            cluster,
            dataOnDevice,
            engram.train.Precision.parse(precision),
            fetchEvery);
    boolean writes = cluster == null || cluster.task() == 0;
    try (StepWatchdog watchdog = cluster == null ? null : watchdog(cluster)) {
      if (cluster != null) {
        cluster.startServer();
        watchdog.arm("the first configuration", CONFIGURATION_TIMEOUT_MS);
      }
      StepTimer.run(
          specs,
          compute,
          placement,
          common.progress(),
          dumpTrace,
          r -> {
            if (watchdog != null) {
              watchdog.arm("the next configuration", CONFIGURATION_TIMEOUT_MS);
            }
            try {
              if (writes) {
                StepReport.appendCsv(csv, r);
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            out.println(r.summary());
            out.flush();
          });
    }
    out.println(writes ? "appended to " + csv : "task 0 writes " + csv);
    return Main.EXIT_OK;
  }

  /** A configuration of a multi-process bench that takes longer than this ends the job. */
  private static final long CONFIGURATION_TIMEOUT_MS = 600_000;

  /**
   * Ends this task when a configuration overruns: a step waits forever in the all-reduce when
   * another task is gone (distributed.md §3).
   */
  private StepWatchdog watchdog(Cluster cluster) {
    PrintWriter err = spec.commandLine().getErr();
    return new StepWatchdog(
        what -> {
          err.println("engram: " + WorkerFailure.of(cluster, what, null).getMessage());
          err.flush();
          Runtime.getRuntime().halt(Main.EXIT_WORKER);
        });
  }

  private static int or(Integer value, int fallback) {
    return value == null ? fallback : value;
  }
}
