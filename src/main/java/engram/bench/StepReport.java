package engram.bench;

import engram.io.AtomicFiles;
import engram.io.FileProblem;
import engram.models.ModelType;
import engram.runtime.Compute;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.tensorflow.TensorFlow;

/**
 * What one benchmark measured.
 *
 * @param device where the graph ran
 * @param xla whether XLA auto-clustering was on
 * @param threads TensorFlow's intra-op threads (all cores unless {@code --threads})
 * @param parameters trainable parameters
 * @param graphNodes operations in the graph engram built (training and evaluation paths)
 * @param buildSeconds building the graph and the session (shared by a sweep over batch sizes)
 * @param firstStepMs the first step: variable initialisation, and XLA compilation when on
 * @param meanMs mean of the timed steps
 * @param medianMs median of the timed steps
 * @param minMs fastest timed step
 * @param sequencesPerSecond {@code batch / meanMs}, the batch being the job's global batch
 * @param replicas replicas in the job that share each step (1 on one device)
 * @param allReduceMs a replica's time in the traced step's gradient all-reduce, waits included; 0
 *     on one device
 * @param peakDeviceBytes the largest {@code allocator_bytes_in_use} TensorFlow reported for the
 *     GPU's allocator during a traced step; 0 on a CPU
 * @param peakRssBytes the process's peak resident memory (VmHWM), host side
 * @param xlaClusters XLA clusters run in the traced step ({@code _XlaRun} nodes); 0 without XLA
 * @param partitionNodes nodes TensorFlow ran in the traced step, after clustering
 * @param unclustered the most frequent op types TensorFlow ran outside XLA clusters, with the
 *     device type, e.g. {@code Identity@GPU x120}; what to look at when a step is slow
 * @param opMs the traced step's op times summed over every op and thread: the compute the step did,
 *     which on a multi-core CPU can exceed its wall time and changes less with machine load
 * @param opTimes the op types that took the most of {@code opMs}, e.g. {@code MatMul 69.0 ms}
 * @param dataOnDevice whether the examples waited on the device and each step fed only its row
 *     numbers ({@code train.dataOnDevice}); else each step fed its batch from the host
 * @param precision the step's {@code train.precision}
 * @param fetchEvery steps per fetch of the training scores ({@code train.fetchEvery}): 1 = every
 *     step fetches its own, as the trainer did before; more = they wait on the device between
 */
public record StepReport(
    StepSpec spec,
    Compute.Device device,
    boolean xla,
    int threads,
    long parameters,
    int graphNodes,
    double buildSeconds,
    double firstStepMs,
    double meanMs,
    double medianMs,
    double minMs,
    double sequencesPerSecond,
    int replicas,
    double allReduceMs,
    long peakDeviceBytes,
    long peakRssBytes,
    int xlaClusters,
    int partitionNodes,
    String unclustered,
    double opMs,
    String opTimes,
    boolean dataOnDevice,
    engram.train.Precision precision,
    int fetchEvery) {

  /** The lines {@code engram bench} prints. */
  public String summary() {
    return String.format(
        Locale.ROOT,
        "%s on %s, XLA %s, %d threads%s%s%s%s%n"
            + "  %.3f ms/step mean, %.3f median, %.3f min over %d steps; %.0f sequences/s%n"
            + "  %s%n"
            + "  first step %.0f ms, graph build %.1f s, %d graph nodes, %d trainable parameters%n"
            + "  peak GPU memory %s, peak process RSS %s; %d XLA clusters, %d nodes run%n"
            + "  most frequent ops run outside XLA: %s%n"
            + "  op time %.1f ms summed over threads: %s",
        spec.describe(),
        device,
        xla ? "on" : "off",
        threads,
        replicas > 1
            ? String.format(
                Locale.ROOT, ", %d replicas, all-reduce %.2f ms/step", replicas, allReduceMs)
            : "",
        dataOnDevice ? ", data on the device" : "",
        precision == engram.train.Precision.FLOAT32 ? "" : ", " + precision,
        fetchEvery > 1 ? ", scores fetched every " + fetchEvery + " steps" : "",
        meanMs,
        medianMs,
        minMs,
        spec.steps(),
        sequencesPerSecond,
        Double.isNaN(spec.trainingFlops())
            ? "matmul FLOPs: not counted for this model"
            : String.format(
                Locale.ROOT,
                "%.3f GFLOP of matmuls per step, %.2f TFLOP/s achieved",
                spec.trainingFlops() / 1e9,
                spec.trainingFlops() / (meanMs * 1e9)),
        firstStepMs,
        buildSeconds,
        graphNodes,
        parameters,
        peakDeviceBytes > 0 ? mib(peakDeviceBytes) : "n/a",
        mib(peakRssBytes),
        xlaClusters,
        partitionNodes,
        unclustered,
        opMs,
        opTimes);
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }

  static final String[] CSV_HEADER = {
    "model",
    "device",
    "xla",
    "threads",
    "batch",
    "seq",
    "hidden",
    "memory",
    "features",
    "steps",
    "mean_ms",
    "median_ms",
    "min_ms",
    "sequences_per_s",
    "gflop_per_step",
    "first_step_ms",
    "peak_gpu_mib",
    "peak_rss_mib",
    "xla_clusters",
    "graph_nodes",
    "parameters",
    "tensorflow",
    "bptt",
    "op_ms",
    "replicas",
    "allreduce_ms",
    "data_on_device",
    "precision",
    "fetch_every"
  };

  /** Appends {@code r} to the CSV {@code file} (creating it with a header), atomically. */
  public static void appendCsv(Path file, StepReport r) throws IOException {
    StringWriter row = new StringWriter();
    boolean exists = Files.exists(file);
    CSVFormat format =
        exists ? CSVFormat.DEFAULT : CSVFormat.DEFAULT.builder().setHeader(CSV_HEADER).build();
    try (CSVPrinter csv = new CSVPrinter(row, format)) {
      StepSpec s = r.spec();
      csv.printRecord(
          s.languageModel() ? s.model() + "-lm" : s.model(),
          r.device(),
          r.xla() ? "on" : "off",
          r.threads(),
          s.batch(),
          s.seq(),
          s.hidden(),
          s.memory(),
          s.model() == ModelType.HMEM ? s.width() : s.features(),
          s.steps(),
          f3(r.meanMs()),
          f3(r.medianMs()),
          f3(r.minMs()),
          String.format(Locale.ROOT, "%.1f", r.sequencesPerSecond()),
          Double.isNaN(s.trainingFlops())
              ? ""
              : String.format(Locale.ROOT, "%.4f", s.trainingFlops() / 1e9),
          String.format(Locale.ROOT, "%.1f", r.firstStepMs()),
          String.format(Locale.ROOT, "%.1f", r.peakDeviceBytes() / (1024.0 * 1024)),
          String.format(Locale.ROOT, "%.1f", r.peakRssBytes() / (1024.0 * 1024)),
          r.xlaClusters(),
          r.graphNodes(),
          r.parameters(),
          TensorFlow.version(),
          s.bpttLabel(),
          String.format(Locale.ROOT, "%.1f", r.opMs()),
          r.replicas(),
          f3(r.allReduceMs()),
          r.dataOnDevice() ? "on" : "off",
          r.precision(),
          r.fetchEvery());
    }
    String before = exists ? Files.readString(file, StandardCharsets.UTF_8) : "";
    String header = String.join(",", CSV_HEADER);
    if (exists
        && !before.isEmpty()
        && !before.startsWith(header + "\n")
        && !before.startsWith(header + "\r\n")) {
      throw new FileProblem(
          file,
          "has other columns than this engram writes (an older bench file?); give --csv a new"
              + " file name");
    }
    if (!before.isEmpty() && !before.endsWith("\n")) {
      before += "\n";
    }
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    AtomicFiles.writeString(file, before + row);
  }

  private static String f3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
