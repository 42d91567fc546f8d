package engram.bench;

import engram.data.Batch;
import engram.data.Batches;
import engram.distributed.Cluster;
import engram.distributed.Replicas;
import engram.io.AtomicFiles;
import engram.runtime.Compute;
import engram.runtime.Progress;
import engram.train.DivergenceException;
import engram.train.Precision;
import engram.train.TrainingGraph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
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
public final class StepTimer {

  private StepTimer() {}

  /**
   * Where the timed step runs: this process's replicas, and the job it is a task of (null for a job
   * of one process).
   */
  /**
   * Where a step runs, where its data waits and in what precision it computes.
   *
   * @param dataOnDevice the examples are put on the device once and each step feeds only its row
   *     numbers ({@code train.dataOnDevice}); one device, one process
   * @param precision {@code train.precision}: float32, bfloat16 (mixed) or float64
   * @param fetchEvery steps per fetch of the training scores, which wait on the device in between
   *     ({@code train.fetchEvery}); 1 = every step fetches its own
   */
  public record Placement(
      Replicas replicas,
      Cluster cluster,
      boolean dataOnDevice,
      Precision precision,
      int fetchEvery) {

    public Placement {
      if (fetchEvery < 1) {
        throw new IllegalArgumentException("--fetch-every must be >= 1, got " + fetchEvery);
      }
      if (fetchEvery > 1 && (replicas.parallel() || cluster != null)) {
        throw new IllegalArgumentException(
            "--fetch-every times one device in one process: drop --replicas and the job");
      }
      if (precision == null) {
        precision = Precision.FLOAT32;
      }
      if (dataOnDevice && (replicas.parallel() || cluster != null)) {
        throw new IllegalArgumentException(
            "--data-on-device times one device in one process: drop --replicas and the job");
      }
    }

    /** One device, one process, batches fed from the host. */
    public static Placement single() {
      return new Placement(Replicas.single(), null, false, Precision.FLOAT32, 1);
    }
  }

  /** Times {@code spec} on {@code compute}. */
  public static StepReport run(StepSpec spec, Compute compute, Progress progress) {
    return run(List.of(spec), compute, Placement.single(), progress, null, r -> {}).get(0);
  }

  /**
   * Times every spec in order, handing each report to {@code sink} as soon as it exists. Specs that
   * differ only in the batch size share one graph (its batch dimension is free), so a sweep over B
   * builds the graph once; XLA still compiles each new shape, which the first step reports. In a
   * job of several processes every task calls this with the same specs: each times its share of
   * every global batch, in lockstep with the others through the all-reduce.
   */
  public static List<StepReport> run(
      List<StepSpec> specs,
      Compute compute,
      Placement placement,
      Progress progress,
      Path traceFile,
      Consumer<StepReport> sink) {
    List<StepReport> reports = new ArrayList<>();
    TrainingGraph g = null;
    StepSpec built = null;
    double buildSeconds = 0;
    int graphNodes = 0;
    int group = 1; // replicas in the job
    try {
      for (StepSpec spec : specs) {
        if (built == null || !built.withBatch(1).equals(spec.withBatch(1))) {
          if (g != null) {
            g.close();
            g = null;
          }
          TrainingGraph.Options options =
              TrainingGraph.Options.defaults(spec.seed())
                  .withClipnorm(spec.clipnorm())
                  .withBptt(spec.bptt())
                  .withReplicas(placement.replicas())
                  .withPrecision(placement.precision());
          if (placement.cluster() != null) {
            options = options.withCluster(placement.cluster());
          }
          if (placement.dataOnDevice()) { // room for the largest batch size's random data
            int largest = specs.stream().mapToInt(StepSpec::batch).max().orElseThrow();
            options = options.withResidentRows((long) largest * RandomData.BATCHES);
          }
          if (placement.fetchEvery() > 1) {
            options = options.withScoreSlots(placement.fetchEvery());
          }
          options.replicas().checkBatch("--batch", spec.batch());
          group = options.replicas().groupSize();
          long start = System.nanoTime();
          g =
              new TrainingGraph(
                  spec.modelConfig(),
                  spec.inputs(),
                  spec.target(),
                  spec.languageModel() ? spec.batch() : 0,
                  options,
                  compute.sessionConfig());
          buildSeconds = (System.nanoTime() - start) / 1e9;
          graphNodes = count(g.graph().operations());
          built = spec;
        }
        StepReport r =
            time(g, spec, compute, placement, group, progress, buildSeconds, graphNodes, traceFile);
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

  private static StepReport time(
      TrainingGraph g,
      StepSpec spec,
      Compute compute,
      Placement placement,
      int group,
      Progress progress,
      double buildSeconds,
      int graphNodes,
      Path traceFile) {
    RandomData data = new RandomData(spec);
    Batch batch = Batch.forDataset(data, spec.batch());
    Batches order = Batches.inOrder(data, spec.batch());
    Cluster cluster = placement.cluster();
    if (placement.dataOnDevice()) {
      g.loadResident(List.of(data));
    }
    int resident = g.residentOffset(data);
    java.util.function.IntConsumer fill =
        b -> {
          if (cluster == null) {
            order.fill(b, batch, resident);
          } else {
            order.fillShard(b, batch, cluster.task(), cluster.workers().size());
          }
        };
    long step = 0;
    double firstStepMs = 0;
    int every = g.scoreSlots() > 0 ? placement.fetchEvery() : 1;
    try (Progress.Task task = progress.start("warm-up", spec.warmup())) {
      for (int i = 0; i < spec.warmup(); i++) {
        fill.accept((int) (step % order.count()));
        long t0 = System.nanoTime();
        // The same runs as the timed steps: each new set of fetches costs a graph optimisation.
        step(g, batch, new long[] {spec.seed(), step++}, i, spec.warmup(), every);
        if (i == 0) {
          firstStepMs = (System.nanoTime() - t0) / 1e6;
        }
        task.update(i + 1, "");
      }
    }
    double[] ms = new double[spec.steps()];
    try (Progress.Task task = progress.start("timed", spec.steps())) {
      for (int i = 0; i < ms.length; i++) {
        fill.accept((int) (step % order.count()));
        long t0 = System.nanoTime();
        List<TrainingGraph.BatchResult> scores =
            step(g, batch, new long[] {spec.seed(), step++}, i, ms.length, every);
        ms[i] = (System.nanoTime() - t0) / 1e6;
        for (TrainingGraph.BatchResult r : scores) {
          if (!Double.isFinite(r.loss())) {
            throw new DivergenceException("benchmark loss became " + r.loss() + " by step " + step);
          }
        }
        task.update(i + 1, String.format(Locale.ROOT, "%.2f ms", ms[i]));
      }
    }
    fill.accept(0);
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
    return new StepReport(
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
        group,
        StepTrace.allReduceMs(trace),
        gpu ? StepTrace.peakAllocatorBytes(trace) : 0,
        peakRssBytes(),
        StepTrace.countOps(trace, "_XlaRun"),
        StepTrace.countOps(trace, null),
        StepTrace.opHistogram(trace, 8),
        StepTrace.opMicros(trace).values().stream().mapToLong(Long::longValue).sum() / 1000.0,
        StepTrace.opTimes(trace, 5),
        placement.dataOnDevice(),
        placement.precision(),
        every);
  }

  /**
   * Step {@code i} of {@code n}: with {@code every} > 1 its scores wait on the device, and every
   * {@code every}-th step and the last fetch those waiting.
   */
  private static List<TrainingGraph.BatchResult> step(
      TrainingGraph g, Batch batch, long[] seed, int i, int n, int every) {
    if (every == 1) {
      return List.of(g.trainStep(batch, 1e-3f, seed));
    }
    return g.trainStep(batch, 1e-3f, seed, i % every, i % every == every - 1 || i == n - 1);
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
}
