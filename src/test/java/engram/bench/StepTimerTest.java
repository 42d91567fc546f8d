package engram.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.models.ModelType;
import engram.runtime.Compute;
import engram.runtime.Progress;
import engram.train.Bptt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.AllocatorMemoryUsed;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.StepStats;

class StepTimerTest {

  private static StepSpec tiny(ModelType model, int batch, int seq) {
    return new StepSpec(model, batch, seq, 8, 4, 5, 3, 11, 2, 2, 3, 7, Bptt.WHOLE);
  }

  @Test
  void dataOnDeviceFeedsRowNumbersToOneGraphForEveryBatchSize(@TempDir Path tmp) throws Exception {
    Compute cpu = new Compute(Compute.Device.CPU, Compute.Xla.OFF, 1);
    List<StepSpec> specs = List.of(tiny(ModelType.LSTM, 4, 3), tiny(ModelType.LSTM, 6, 3));
    StepTimer.Placement resident =
        new StepTimer.Placement(engram.distributed.Replicas.single(), null, true, null, 2);
    Path csv = tmp.resolve("bench.csv");
    List<StepReport> reports =
        StepTimer.run(
            specs,
            cpu,
            resident,
            Progress.none(),
            null,
            r -> {
              try {
                StepReport.appendCsv(csv, r);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    StepReport fed = StepTimer.run(specs.get(0), cpu, Progress.none());
    for (StepReport r : reports) {
      assertTrue(r.dataOnDevice() && r.summary().contains("data on the device"), r.summary());
      assertTrue(r.summary().contains("scores fetched every 2 steps"), r.summary());
      assertTrue(
          r.graphNodes() > fed.graphNodes(), "the stores, their gathers and the scores are extra");
    }
    assertEquals(reports.get(0).graphNodes(), reports.get(1).graphNodes(), "one graph");
    List<String> rows = java.nio.file.Files.readAllLines(csv);
    assertTrue(
        rows.get(0).endsWith(",data_on_device,precision,fetch_every")
            && rows.get(2).endsWith(",on,float32,2"),
        rows.toString());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new StepTimer.Placement(
                    engram.distributed.Replicas.parse("cpu:0,cpu:1", 1, 0), null, true, null, 1));
    assertTrue(e.getMessage().contains("--data-on-device times one device"), e.getMessage());
  }

  @Test
  void timesTheMixedPrecisionStep() {
    Compute cpu = new Compute(Compute.Device.CPU, Compute.Xla.OFF, 1);
    StepTimer.Placement bf16 =
        new StepTimer.Placement(
            engram.distributed.Replicas.single(), null, false, engram.train.Precision.BFLOAT16, 1);
    List<StepReport> r =
        StepTimer.run(
            List.of(tiny(ModelType.ENN, 4, 3)), cpu, bf16, Progress.none(), null, x -> {});
    assertEquals(engram.train.Precision.BFLOAT16, r.get(0).precision());
    assertTrue(r.get(0).summary().contains(", bfloat16"), r.get(0).summary());
  }

  @Test
  void timesTheRealTrainingGraphAndSharesItAcrossBatchSizes(@TempDir Path tmp) throws Exception {
    Compute cpu = new Compute(Compute.Device.CPU, Compute.Xla.OFF, 1);
    List<StepSpec> specs =
        List.of(tiny(ModelType.LSTM, 4, 3), tiny(ModelType.LSTM, 6, 3), tiny(ModelType.ENN, 4, 3));
    Path csv = tmp.resolve("out/bench.csv");
    List<StepReport> seen = new ArrayList<>();
    List<StepReport> reports =
        StepTimer.run(
            specs,
            cpu,
            StepTimer.Placement.single(),
            Progress.none(),
            null,
            r -> {
              seen.add(r);
              try {
                StepReport.appendCsv(csv, r);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertEquals(reports, seen);

    // Keras LSTM(8) on 5 features: 4 gates x (5 + 8 + 1) x 8, then Dense(10) on 8.
    assertEquals(4 * 14 * 8 + 8 * 10 + 10, reports.get(0).parameters());
    // The two LSTM batch sizes ran on one graph: same build, same node count.
    assertEquals(reports.get(0).buildSeconds(), reports.get(1).buildSeconds());
    assertEquals(reports.get(0).graphNodes(), reports.get(1).graphNodes());
    assertTrue(reports.get(2).graphNodes() > reports.get(0).graphNodes(), "ENN graph is new");
    for (StepReport r : reports) {
      assertTrue(r.minMs() > 0 && r.minMs() <= r.medianMs(), r.summary());
      assertEquals(r.spec().batch() * 1000.0 / r.meanMs(), r.sequencesPerSecond(), 1e-9);
      assertEquals(0, r.xlaClusters(), "XLA off");
      assertEquals(0, r.peakDeviceBytes(), "no GPU");
      assertTrue(r.peakRssBytes() > 0 && r.partitionNodes() > 0, r.summary());
      // Which op types take the most time depends on the CPU and on chance, so only the form of
      // the op-time summary is checked: the five costliest types, each with its time.
      assertTrue(r.opMs() >= 0, r.summary());
      assertTrue(
          r.opTimes().matches("[A-Za-z0-9_]+ \\d+\\.\\d ms(, [A-Za-z0-9_]+ \\d+\\.\\d ms){4}"),
          r.opTimes());
    }

    List<String> lines = Files.readAllLines(csv);
    assertEquals(4, lines.size(), "one header, three rows: " + lines);
    assertEquals(String.join(",", StepReport.CSV_HEADER), lines.get(0));
    assertTrue(lines.get(2).startsWith("lstm,cpu,off,1,6,3,8,"), lines.get(2));
    assertTrue(lines.get(3).startsWith("enn,cpu,off,1,4,3,8,4,"), lines.get(3));
  }

  @Test
  void bpttWindowsAreBenchmarkedAndLabelled(@TempDir Path tmp) throws Exception {
    Compute cpu = new Compute(Compute.Device.CPU, Compute.Xla.OFF, 1);
    StepSpec exact =
        new StepSpec(ModelType.ENN, 4, 5, 8, 4, 5, 3, 11, 2, 2, 3, 7, new Bptt(2, false));
    StepReport r = StepTimer.run(exact, cpu, Progress.none());
    assertTrue(
        r.summary().startsWith("enn B=4 T=5 D=5 H=8 M=4, BPTT windows of 2 on"), r.summary());
    assertTrue(r.minMs() > 0, r.summary());
    Path csv = tmp.resolve("bench.csv");
    StepReport.appendCsv(csv, r);
    StepSpec truncated =
        new StepSpec(ModelType.LSTM, 4, 5, 8, 4, 5, 3, 11, 2, 2, 3, 7, new Bptt(2, true));
    StepReport.appendCsv(csv, StepTimer.run(truncated, cpu, Progress.none()));
    StepReport.appendCsv(csv, StepTimer.run(tiny(ModelType.LSTM, 4, 5), cpu, Progress.none()));
    List<String> lines = Files.readAllLines(csv);
    int column = List.of(StepReport.CSV_HEADER).indexOf("bptt");
    assertEquals("2", lines.get(1).split(",")[column], lines.get(1));
    assertEquals("2-truncated", lines.get(2).split(",")[column], lines.get(2));
    assertEquals("whole", lines.get(3).split(",")[column], lines.get(3));
  }

  @Test
  void hmemBenchmarkRunsTheBabiModel() {
    StepReport r =
        StepTimer.run(
            tiny(ModelType.HMEM, 4, 3),
            new Compute(Compute.Device.CPU, Compute.Xla.OFF, 1),
            Progress.none());
    // V=11, d=8, m=4, W=3: embedding V x d, learned encoding W x d, BatchNorm gamma and beta of
    // story and query (2 x 2d), key and value kernels d x m, recall kernel (d + m) x m, output
    // m x V.
    assertEquals(11 * 8 + 3 * 8 + 4 * 8 + 2 * 8 * 4 + 12 * 4 + 4 * 11, r.parameters());
    assertTrue(r.summary().startsWith("hmem B=4 S=3 W=3 d=8 m=4 N=2 V=11 on cpu"), r.summary());
  }

  @Test
  void readsPeakGpuMemoryAndXlaClustersFromATrace() {
    NodeExecStats a =
        NodeExecStats.newBuilder()
            .addMemory(
                AllocatorMemoryUsed.newBuilder()
                    .setAllocatorName("GPU_0_bfc")
                    .setAllocatorBytesInUse(300)
                    .setPeakBytes(10))
            .addMemory(
                AllocatorMemoryUsed.newBuilder()
                    .setAllocatorName("cpu")
                    .setAllocatorBytesInUse(9000))
            .build();
    NodeExecStats b =
        NodeExecStats.newBuilder()
            .addMemory(
                AllocatorMemoryUsed.newBuilder()
                    .setAllocatorName("GPU_0_bfc")
                    .setAllocatorBytesInUse(200)
                    .setPeakBytes(450))
            .build();
    RunMetadata trace =
        RunMetadata.newBuilder()
            .setStepStats(
                StepStats.newBuilder()
                    .addDevStats(DeviceStepStats.newBuilder().addNodeStats(a))
                    .addDevStats(DeviceStepStats.newBuilder().addNodeStats(b)))
            .addPartitionGraphs(
                GraphDef.newBuilder()
                    .addNode(NodeDef.newBuilder().setOp("_XlaCompile"))
                    .addNode(NodeDef.newBuilder().setOp("_XlaRun"))
                    .addNode(node("Identity", "GPU"))
                    .addNode(node("Identity", "GPU"))
                    .addNode(node("ApplyAdam", "GPU"))
                    .addNode(node("Identity", "CPU")))
            .addPartitionGraphs(
                GraphDef.newBuilder().addNode(NodeDef.newBuilder().setOp("_XlaRun")))
            .build();
    assertEquals(450, StepTrace.peakAllocatorBytes(trace));
    assertEquals(2, StepTrace.countOps(trace, "_XlaRun"));
    assertEquals(7, StepTrace.countOps(trace, null));
    assertEquals("Identity@GPU x2, ApplyAdam@GPU x1", StepTrace.opHistogram(trace, 2));
  }

  @Test
  void readsTheAllReduceTimeOfEachReplicaFromATrace() {
    // Replica 0 spends 300 + 100 us in two packed all-reduces, replica 1 500 us; the other ops
    // and the device without collectives do not count: (400 + 500) / 2 devices = 0.45 ms.
    RunMetadata trace =
        RunMetadata.newBuilder()
            .setStepStats(
                StepStats.newBuilder()
                    .addDevStats(
                        DeviceStepStats.newBuilder()
                            .addNodeStats(timed("a = CollectiveReduceV2(g, k, i, o)", 300))
                            .addNodeStats(timed("b = CollectiveReduceV2(h, k, i, o)", 100))
                            .addNodeStats(timed("m = MatMul(x, w)", 7000)))
                    .addDevStats(
                        DeviceStepStats.newBuilder()
                            .addNodeStats(timed("a = CollectiveReduceV2(g, k, i, o)", 500)))
                    .addDevStats(
                        DeviceStepStats.newBuilder().addNodeStats(timed("s = Sum(x, axis)", 900))))
            .build();
    assertEquals(0.45, StepTrace.allReduceMs(trace), 1e-12);
    assertEquals(0.0, StepTrace.allReduceMs(RunMetadata.getDefaultInstance()));
  }

  private static NodeExecStats timed(String label, long micros) {
    return NodeExecStats.newBuilder().setTimelineLabel(label).setAllEndRelMicros(micros).build();
  }

  @Test
  void timesAStepSplitOverTwoReplicas(@TempDir Path tmp) throws Exception {
    Compute cpu = new Compute(Compute.Device.CPU, Compute.Xla.OFF, 1);
    StepTimer.Placement two =
        new StepTimer.Placement(
            engram.distributed.Replicas.parse("cpu:0,cpu:1", 1, 0), null, false, null, 1);
    StepReport r =
        StepTimer.run(List.of(tiny(ModelType.LSTM, 4, 3)), cpu, two, Progress.none(), null, x -> {})
            .get(0);
    assertEquals(2, r.replicas());
    assertTrue(r.summary().contains(", 2 replicas, all-reduce "), r.summary());
    assertTrue(Double.isFinite(r.allReduceMs()) && r.allReduceMs() >= 0, r.summary());
    Path csv = tmp.resolve("bench.csv");
    StepReport.appendCsv(csv, r);
    List<String> lines = Files.readAllLines(csv);
    int column = List.of(StepReport.CSV_HEADER).indexOf("replicas");
    assertEquals("2", lines.get(1).split(",")[column], lines.get(1));

    // Each replica needs a row of the batch.
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                StepTimer.run(
                    List.of(tiny(ModelType.LSTM, 1, 3)), cpu, two, Progress.none(), null, x -> {}));
    assertTrue(e.getMessage().contains("--batch 1 is smaller than the job's 2 replicas"));
  }

  @Test
  void refusesToAppendToACsvWithOtherColumns(@TempDir Path tmp) throws Exception {
    Path old = tmp.resolve("old.csv");
    Files.writeString(old, "model,device,xla\r\nlstm,cpu,off\r\n");
    StepReport r =
        StepTimer.run(
            tiny(ModelType.LSTM, 2, 2),
            new Compute(Compute.Device.CPU, Compute.Xla.OFF, 1),
            Progress.none());
    engram.io.FileProblem e =
        assertThrows(engram.io.FileProblem.class, () -> StepReport.appendCsv(old, r));
    assertTrue(e.getMessage().contains("give --csv a new file name"), e.getMessage());
    assertEquals("model,device,xla\r\nlstm,cpu,off\r\n", Files.readString(old));
  }

  @Test
  void countsTheMatmulFlopsOfATrainingStep() {
    // ENN B=128 T=28 D=28 H=128 M=64, by hand per time step: encode 2*128*28*128 = 917,504;
    // scores, read and trace update 3 * 2*128*128*64 = 6,291,456; integrator 2*128*384*384 =
    // 37,748,736 and 2*128*384*128 = 12,582,912. Sum 57,540,608; x28 = 1,611,137,024; head
    // 2*128*128*10 = 327,680; forward 1,611,464,704, x3 with the backward pass.
    assertEquals(
        4_834_394_112.0,
        new StepSpec(ModelType.ENN, 128, 28, 128, 64, 28, 7, 40, 3, 1, 1, 1, Bptt.WHOLE)
            .trainingFlops());
    // LSTM B=2 T=3 D=4 H=5: 3 * (3 * 2*2*9*20 + 2*2*5*10) = 3 * (2160 + 200).
    assertEquals(
        7080.0,
        new StepSpec(ModelType.LSTM, 2, 3, 5, 1, 4, 7, 40, 3, 1, 1, 1, Bptt.WHOLE).trainingFlops());
  }

  @Test
  void timesALanguageModelStep() {
    // LSTM B=2 T=3 H=5 over 11 words, embedding tied to the softmax. By hand: per step
    // 2*2*(5+5)*20 = 800, x3 = 2400; the head at every step 2*2*3*5*11 = 660; x3 = 9180.
    StepSpec lm = tiny(ModelType.LSTM, 2, 3).withLanguageModel(true, 11);
    StepSpec sized =
        new StepSpec(ModelType.LSTM, 2, 3, 5, 1, 5, 7, 11, 3, 2, 3, 7, Bptt.WHOLE, true);
    assertEquals(9180.0, sized.trainingFlops());
    StepReport r =
        StepTimer.run(
                List.of(lm),
                new Compute(Compute.Device.CPU, Compute.Xla.OFF, 1),
                StepTimer.Placement.single(),
                Progress.none(),
                null,
                x -> {})
            .get(0);
    // Embedding 11x8 (the softmax's kernel too), LSTM(8) on 8 inputs, the softmax bias 11.
    assertEquals(11 * 8 + 4 * (8 + 8 + 1) * 8 + 11, r.parameters());
    assertTrue(r.spec().describe().contains("LM V=11"), r.spec().describe());
  }

  private static NodeDef.Builder node(String op, String device) {
    return NodeDef.newBuilder()
        .setOp(op)
        .setDevice("/job:localhost/replica:0/task:0/device:" + device + ":0");
  }

  @Test
  void rejectsNonsenseSizesNamingTheFlag() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new StepSpec(ModelType.ENN, 0, 28, 128, 64, 28, 7, 40, 3, 10, 50, 1, Bptt.WHOLE));
    assertTrue(e.getMessage().contains("--batch must be > 0, got 0"), e.getMessage());
  }
}
