package engram.train;

import engram.cells.EngramCellConfig;
import engram.data.Batch;
import engram.data.Batches;
import engram.data.Dataset;
import engram.data.Feature;
import engram.io.AtomicFiles;
import engram.models.HMemConfig;
import engram.models.ModelConfig;
import engram.models.ModelType;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AllocatorMemoryUsed;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Times engram's real training step: the {@link TrainingGraph} the trainer builds (model, loss,
 * gradients, clipping, Adam, BatchNorm updates), fed random inputs of the requested shape.
 *
 * <p>A run builds the graph, takes {@code warmup} steps (the first one includes XLA compilation and
 * is reported on its own), times {@code steps} steps one {@code Session.run} each, exactly as the
 * trainer calls them (inputs copied from host buffers, loss and accuracy fetched), then traces one
 * more step to read the allocator's peak and count the XLA clusters TensorFlow actually ran.
 */
public final class Benchmark {

  private Benchmark() {}

  /**
   * One configuration to time.
   *
   * @param model the model family
   * @param batch B, sequences per step
   * @param seq T, time steps (for {@code hmem}: S, statements per story)
   * @param hidden H, the recurrent width (for {@code hmem}: d, the embedding width)
   * @param memory M, ENN memory slots (for {@code hmem}: m, the memory is m x m); unused otherwise
   * @param features D, inputs per time step (28 for MNIST rows); unused for {@code hmem}
   * @param width W, words per statement; {@code hmem} only
   * @param vocabulary words (and classes) of {@code hmem}; the sequence models have 10 classes
   * @param hops N, recurrent memory queries of {@code hmem}
   * @param warmup untimed steps first (at least 1)
   * @param steps timed steps
   * @param seed seed of the weights and the random inputs
   */
  public record Spec(
      ModelType model,
      int batch,
      int seq,
      int hidden,
      int memory,
      int features,
      int width,
      int vocabulary,
      int hops,
      int warmup,
      int steps,
      long seed,
      Bptt bptt) {

    public Spec {
      if (bptt == null) {
        bptt = Bptt.WHOLE;
      }
      if (model == null) {
        throw new IllegalArgumentException("--model is required: enn, lstm, gru, rnn or hmem");
      }
      check("--batch", batch);
      check("--seq", seq);
      check("--hidden", hidden);
      check("--memory", memory);
      check("--features", features);
      check("--width", width);
      check("--hops", hops);
      check("--warmup", warmup);
      check("--steps", steps);
      if (vocabulary < 2) {
        throw new IllegalArgumentException("--vocabulary must be >= 2, got " + vocabulary);
      }
    }

    private static void check(String flag, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(flag + " must be > 0, got " + value);
      }
    }

    /**
     * The defaults of {@code model}: the MNIST-rows presets (B 128, T 28, D 28, H 128, M 64) for
     * the sequence models, the bAbI task-2 shape of the H-Mem preset (S 88, W 7, d 80, m 100, 3
     * hops, a 40-word vocabulary) for {@code hmem}; 10 warm-up and 50 timed steps.
     */
    public static Spec defaults(ModelType model) {
      return model == ModelType.HMEM
          ? new Spec(model, 128, 88, 80, 100, 28, 7, 40, 3, 10, 50, 42, Bptt.WHOLE)
          : new Spec(model, 128, 28, 128, 64, 28, 7, 40, 3, 10, 50, 42, Bptt.WHOLE);
    }

    /** This spec with batch size {@code b}. */
    public Spec withBatch(int b) {
      return new Spec(
          model,
          b,
          seq,
          hidden,
          memory,
          features,
          width,
          vocabulary,
          hops,
          warmup,
          steps,
          seed,
          bptt);
    }

    /** The model: the presets' architecture at this spec's sizes. */
    public ModelConfig modelConfig() {
      return switch (model) {
        case ENN ->
            new ModelConfig(
                ModelType.ENN,
                List.of(hidden),
                0.3,
                EngramCellConfig.defaults().withMemorySize(memory),
                null);
        case RNN, GRU, LSTM -> new ModelConfig(model, List.of(hidden), 0.0, null, null);
        case HMEM -> {
          HMemConfig d = HMemConfig.defaults();
          yield new ModelConfig(
              ModelType.HMEM,
              List.of(),
              0.0,
              null,
              new HMemConfig(
                  hidden,
                  memory,
                  hops,
                  d.encoding(),
                  d.gammaPos(),
                  d.gammaNeg(),
                  d.wMax(),
                  d.l2()));
        }
      };
    }

    /** The presets' clipping: per-variable clipnorm 1 for the MNIST models, none for H-Mem. */
    double clipnorm() {
      return model == ModelType.HMEM ? 0 : 1.0;
    }

    List<Feature> inputs() {
      return model == ModelType.HMEM
          ? List.of(
              new Feature("story", Feature.Kind.INT, new int[] {seq, width}),
              new Feature("query", Feature.Kind.INT, new int[] {width}))
          : List.of(new Feature("x", Feature.Kind.FLOAT, new int[] {seq, features}));
    }

    int numClasses() {
      return model == ModelType.HMEM ? vocabulary : 10;
    }

    /**
     * Matrix-multiply FLOPs of one training step (forward, and twice that backward), the step's
     * arithmetic floor; elementwise work (norms, softmax, Adam) is left out, as it is small beside
     * the matmuls at these sizes. Per time step, forward, with the ENN's [z|m|h] integrator of
     * width 3H:
     *
     * <pre>
     *   enn   2BDH (encode) + 2BHM (scores) + 2BMH (read) + 2B(3H)(3H) + 2B(3H)H (integrate)
     *         + 2BMH (trace update A^T z)
     *   lstm  2B(D+H)4H        gru  2B(D+H)3H        rnn  2B(D+H)H
     * </pre>
     *
     * plus the head 2BH*10 once. NaN for {@code hmem}, whose step is elementwise-bound.
     */
    public double trainingFlops() {
      double b = batch;
      double d = features;
      double h = hidden;
      double perStep =
          switch (model) {
            case ENN -> 2 * b * d * h + 6 * b * h * memory + 18 * b * h * h + 6 * b * h * h;
            case LSTM -> 2 * b * (d + h) * 4 * h;
            case GRU -> 2 * b * (d + h) * 3 * h;
            case RNN -> 2 * b * (d + h) * h;
            case HMEM -> Double.NaN;
          };
      return 3 * (perStep * seq + 2 * b * h * 10);
    }

    /** A short label, e.g. {@code enn B=128 T=28 H=128 M=64}. */
    public String describe() {
      return model == ModelType.HMEM
          ? String.format(
              Locale.ROOT,
              "hmem B=%d S=%d W=%d d=%d m=%d N=%d V=%d",
              batch,
              seq,
              width,
              hidden,
              memory,
              hops,
              vocabulary)
          : String.format(
              Locale.ROOT,
              "%s B=%d T=%d D=%d H=%d%s%s",
              model,
              batch,
              seq,
              features,
              hidden,
              model == ModelType.ENN ? " M=" + memory : "",
              bptt.splits(seq) ? ", BPTT windows of " + bpttLabel() : "");
    }

    /** {@code whole}, or the window length ({@code 32}, {@code 32-truncated}). */
    public String bpttLabel() {
      if (!bptt.splits(seq)) {
        return "whole";
      }
      return bptt.window() + (bptt.truncate() ? "-truncated" : "");
    }
  }

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
   * @param sequencesPerSecond {@code batch / meanMs}
   * @param peakDeviceBytes the largest {@code allocator_bytes_in_use} TensorFlow reported for the
   *     GPU's allocator during a traced step; 0 on a CPU
   * @param peakRssBytes the process's peak resident memory (VmHWM), host side
   * @param xlaClusters XLA clusters run in the traced step ({@code _XlaRun} nodes); 0 without XLA
   * @param partitionNodes nodes TensorFlow ran in the traced step, after clustering
   * @param unclustered the most frequent op types TensorFlow ran outside XLA clusters, with the
   *     device type, e.g. {@code Identity@GPU x120}; what to look at when a step is slow
   * @param opMs the traced step's op times summed over every op and thread: the compute the step
   *     did, which on a multi-core CPU can exceed its wall time and changes less with machine load
   * @param opTimes the op types that took the most of {@code opMs}, e.g. {@code MatMul 69.0 ms}
   */
  public record Report(
      Spec spec,
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
      long peakDeviceBytes,
      long peakRssBytes,
      int xlaClusters,
      int partitionNodes,
      String unclustered,
      double opMs,
      String opTimes) {

    /** The lines {@code engram bench} prints. */
    public String summary() {
      return String.format(
          Locale.ROOT,
          "%s on %s, XLA %s, %d threads%n"
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
  }

  /** Times {@code spec} on {@code compute}. */
  public static Report run(Spec spec, Compute compute, Progress progress) {
    return run(List.of(spec), compute, progress, null, r -> {}).get(0);
  }

  /**
   * Times every spec in order, handing each report to {@code sink} as soon as it exists. Specs that
   * differ only in the batch size share one graph (its batch dimension is free), so a sweep over B
   * builds the graph once; XLA still compiles each new shape, which the first step reports.
   */
  public static List<Report> run(
      List<Spec> specs, Compute compute, Progress progress, Path traceFile, Consumer<Report> sink) {
    List<Report> reports = new ArrayList<>();
    TrainingGraph g = null;
    Spec built = null;
    double buildSeconds = 0;
    int graphNodes = 0;
    try {
      for (Spec spec : specs) {
        if (built == null || !built.withBatch(1).equals(spec.withBatch(1))) {
          if (g != null) {
            g.close();
            g = null;
          }
          long start = System.nanoTime();
          g =
              new TrainingGraph(
                  spec.modelConfig(),
                  spec.inputs(),
                  spec.numClasses(),
                  spec.seed(),
                  spec.clipnorm(),
                  true,
                  spec.bptt(),
                  compute.sessionConfig());
          buildSeconds = (System.nanoTime() - start) / 1e9;
          graphNodes = count(g.graph().operations());
          built = spec;
        }
        Report r = time(g, spec, compute, progress, buildSeconds, graphNodes, traceFile);
        sink.accept(r);
        reports.add(r);
      }
    } finally {
      if (g != null) {
        g.close();
      }
    }
    return reports;
  }

  private static Report time(
      TrainingGraph g,
      Spec spec,
      Compute compute,
      Progress progress,
      double buildSeconds,
      int graphNodes,
      Path traceFile) {
    RandomData data = new RandomData(spec);
    Batch batch = Batch.forDataset(data, spec.batch());
    Batches order = Batches.inOrder(data, spec.batch());
    long step = 0;
    double firstStepMs = 0;
    try (Progress.Task task = progress.start("warm-up", spec.warmup())) {
      for (int i = 0; i < spec.warmup(); i++) {
        order.fill((int) (step % order.count()), batch);
        long t0 = System.nanoTime();
        g.trainStep(batch, 1e-3f, new long[] {spec.seed(), step++});
        if (i == 0) {
          firstStepMs = (System.nanoTime() - t0) / 1e6;
        }
        task.update(i + 1, "");
      }
    }
    double[] ms = new double[spec.steps()];
    try (Progress.Task task = progress.start("timed", spec.steps())) {
      for (int i = 0; i < ms.length; i++) {
        order.fill((int) (step % order.count()), batch);
        long t0 = System.nanoTime();
        TrainingGraph.BatchResult r = g.trainStep(batch, 1e-3f, new long[] {spec.seed(), step++});
        ms[i] = (System.nanoTime() - t0) / 1e6;
        if (!Double.isFinite(r.loss())) {
          throw new DivergenceException("benchmark loss became " + r.loss() + " at step " + step);
        }
        task.update(i + 1, String.format(Locale.ROOT, "%.2f ms", ms[i]));
      }
    }
    order.fill(0, batch);
    RunMetadata trace = g.tracedTrainStep(batch, 1e-3f, new long[] {spec.seed(), step});
    if (traceFile != null) {
      try {
        AtomicFiles.write(traceFile, trace.toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    double mean = Arrays.stream(ms).average().orElseThrow();
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median =
        sorted.length % 2 == 1
            ? sorted[sorted.length / 2]
            : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    boolean gpu = compute.resolvedDevice() == Compute.Device.GPU;
    return new Report(
        spec,
        compute.resolvedDevice(),
        compute.xlaEnabled(),
        compute.threads() != null ? compute.threads() : Runtime.getRuntime().availableProcessors(),
        g.params().trainableCount(),
        graphNodes,
        buildSeconds,
        firstStepMs,
        mean,
        median,
        sorted[0],
        spec.batch() * 1000.0 / mean,
        gpu ? peakAllocatorBytes(trace) : 0,
        peakRssBytes(),
        countOps(trace, "_XlaRun"),
        countOps(trace, null),
        opHistogram(trace, 8),
        opMicros(trace).values().stream().mapToLong(Long::longValue).sum() / 1000.0,
        opTimes(trace, 5));
  }

  /**
   * Microseconds per op type in a traced step, summed over its ops (the type is read from the
   * timeline label {@code name = Type(inputs)}). GPU stream records, which repeat the kernels of
   * ops already counted on their device, are left out.
   */
  static Map<String, Long> opMicros(RunMetadata trace) {
    Map<String, Long> micros = new HashMap<>();
    for (DeviceStepStats device : trace.getStepStats().getDevStatsList()) {
      if (device.getDevice().contains("stream") || device.getDevice().contains("memcpy")) {
        continue;
      }
      for (NodeExecStats node : device.getNodeStatsList()) {
        String label = node.getTimelineLabel();
        int eq = label.indexOf(" = ");
        int paren = label.indexOf('(', Math.max(eq, 0));
        String type = eq >= 0 && paren > eq ? label.substring(eq + 3, paren) : node.getNodeName();
        micros.merge(type, node.getAllEndRelMicros(), Long::sum);
      }
    }
    return micros;
  }

  /** The {@code top} op types by summed time, as {@code Type 12.3 ms}. */
  static String opTimes(RunMetadata trace, int top) {
    return opMicros(trace).entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .map(e -> String.format(Locale.ROOT, "%s %.1f ms", e.getKey(), e.getValue() / 1000.0))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * The largest {@code allocator_bytes_in_use} of the GPU allocators over every op of a traced
   * step. (TensorFlow's CPU allocator keeps no such statistics; on a CPU the process RSS says it.)
   */
  static long peakAllocatorBytes(RunMetadata trace) {
    long peak = 0;
    for (DeviceStepStats device : trace.getStepStats().getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        for (AllocatorMemoryUsed m : node.getMemoryList()) {
          if (m.getAllocatorName().toUpperCase(Locale.ROOT).contains("GPU")) {
            peak = Math.max(peak, Math.max(m.getAllocatorBytesInUse(), m.getPeakBytes()));
          }
        }
      }
    }
    return peak;
  }

  /** Nodes of {@code op} (all nodes when null) in the partition graphs TensorFlow ran. */
  static int countOps(RunMetadata trace, String op) {
    int n = 0;
    for (GraphDef partition : trace.getPartitionGraphsList()) {
      for (NodeDef node : partition.getNodeList()) {
        if (op == null || node.getOp().equals(op)) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * The {@code top} most frequent op types in the partition graphs, as {@code Op@DEVICE xN},
   * leaving out XLA's own launch ops and the send/receive pairs between partitions.
   */
  static String opHistogram(RunMetadata trace, int top) {
    Map<String, Integer> counts = new HashMap<>();
    for (GraphDef partition : trace.getPartitionGraphsList()) {
      for (NodeDef node : partition.getNodeList()) {
        String op = node.getOp();
        if (op.startsWith("_Xla") || op.equals("_Send") || op.equals("_Recv")) {
          continue;
        }
        String device = node.getDevice().replaceAll(".*device:([A-Z]+):.*", "$1");
        counts.merge(op + "@" + device, 1, Integer::sum);
      }
    }
    return counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Integer>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .map(e -> e.getKey() + " x" + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** Peak resident set size of this process from /proc/self/status, or 0 off Linux. */
  static long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: no peak to report
    }
    return 0;
  }

  private static int count(java.util.Iterator<?> it) {
    int n = 0;
    while (it.hasNext()) {
      it.next();
      n++;
    }
    return n;
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
    "op_ms"
  };

  /** Appends {@code r} to the CSV {@code file} (creating it with a header), atomically. */
  public static void appendCsv(Path file, Report r) throws IOException {
    StringWriter row = new StringWriter();
    boolean exists = Files.exists(file);
    CSVFormat format =
        exists ? CSVFormat.DEFAULT : CSVFormat.DEFAULT.builder().setHeader(CSV_HEADER).build();
    try (CSVPrinter csv = new CSVPrinter(row, format)) {
      Spec s = r.spec();
      csv.printRecord(
          s.model(),
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
          String.format(Locale.ROOT, "%.1f", r.opMs()));
    }
    String before = exists ? Files.readString(file, StandardCharsets.UTF_8) : "";
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

  /** Uniform random inputs of the spec's shapes and random labels, a few batches' worth. */
  private static final class RandomData implements Dataset {
    private static final int BATCHES = 4;
    private final Spec spec;
    private final List<Feature> inputs;
    private final float[] x;
    private final int[][] words;
    private final int[] labels;

    RandomData(Spec spec) {
      this.spec = spec;
      this.inputs = spec.inputs();
      int n = spec.batch() * BATCHES;
      SplittableRandom random = new SplittableRandom(spec.seed());
      labels = random.ints(n, 0, spec.numClasses()).toArray();
      if (spec.model() == ModelType.HMEM) {
        x = null;
        // Word 0 is padding; ids 1..V-1 are words.
        words = new int[inputs.size()][];
        for (int i = 0; i < words.length; i++) {
          words[i] = random.ints((long) n * inputs.get(i).size(), 1, spec.vocabulary()).toArray();
        }
      } else {
        words = null;
        x = new float[n * inputs.get(0).size()];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) random.nextDouble();
        }
      }
    }

    @Override
    public int size() {
      return labels.length;
    }

    @Override
    public int numClasses() {
      return spec.numClasses();
    }

    @Override
    public int label(int index) {
      return labels[index];
    }

    @Override
    public List<Feature> inputs() {
      return inputs;
    }

    @Override
    public void copyFloats(int input, int index, float[] dst, int offset) {
      int size = inputs.get(input).size();
      System.arraycopy(x, index * size, dst, offset, size);
    }

    @Override
    public void copyInts(int input, int index, int[] dst, int offset) {
      int size = inputs.get(input).size();
      System.arraycopy(words[input], index * size, dst, offset, size);
    }
  }
}
