package engram.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.WriteImageSummary;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Writes TensorBoard event files into {@code runDir/tensorboard/} through TensorFlow's own summary
 * ops (a summary-writer resource in a small graph of its own). After every epoch: the values of
 * {@code metrics.csv} ({@code loss}, {@code accuracy}, {@code val_loss}, {@code val_accuracy},
 * {@code learning_rate}, {@code seconds}), perplexities for a language model, and when the memory
 * monitor runs, its statistics ({@code trace/mean_abs} ...) and the trace (H-Mem: the association
 * matrix) as a heat-map image (TensorFlow names it {@code trace/heatmap/image}). Steps are epochs.
 * {@code tensorboard --logdir runs/} shows every run.
 */
public final class TensorBoardWriter implements TrainingListener, AutoCloseable {

  /** The event files' folder in the run directory. */
  public static final String DIR = "tensorboard";

  private final TraceMonitor monitor;
  private Graph graph;
  private Session session;
  private Placeholder<TInt64> step;
  private Placeholder<TString> tag;
  private Placeholder<TFloat32> value;
  private Placeholder<TFloat32> image;
  private Op writeScalar;
  private Op writeImage;
  private Op flush;
  private Op closeWriter;

  /**
   * @param monitor the run's memory monitor, or null when it has none
   */
  TensorBoardWriter(TraceMonitor monitor) {
    this.monitor = monitor;
  }

  @Override
  public void onTrainBegin(TrainingRun run) throws java.io.IOException {
    Path dir = run.runDir().resolve(DIR);
    Files.createDirectories(dir);
    graph = new Graph();
    Ops tf = Ops.create(graph);
    Operand<?> writer = tf.summary.summaryWriter();
    Op create =
        tf.summary.createSummaryFileWriter(
            writer,
            tf.constant(dir.toAbsolutePath().toString()),
            tf.constant(10),
            tf.constant(1000),
            tf.constant(".engram"));
    step = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    tag = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    value = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    image = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, -1, -1, 1)));
    writeScalar = tf.summary.writeScalarSummary(writer, step, tag, value);
    // Float images are scaled by TensorFlow: 0 maps to grey 127 when values have both signs.
    writeImage =
        tf.summary.writeImageSummary(
            writer,
            step,
            tag,
            image,
            tf.constant(new byte[] {(byte) 255, 0, 0, (byte) 255}),
            WriteImageSummary.maxImages(1L));
    flush = tf.summary.flushSummaryWriter(writer);
    closeWriter = tf.summary.closeSummaryWriter(writer);
    session = new Session(graph);
    session.runner().addTarget(create).run().close();
  }

  @Override
  public void onEpochEnd(TrainingRun run, EpochMetrics m) {
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("loss", m.trainLoss());
    scalars.put("accuracy", m.trainAccuracy());
    scalars.put("val_loss", m.valLoss());
    scalars.put("val_accuracy", m.valAccuracy());
    scalars.put("learning_rate", m.learningRate());
    scalars.put("seconds", m.seconds());
    if (run.graph().task().unit().equals("token")) {
      scalars.put("perplexity", Math.exp(m.trainLoss()));
      scalars.put("val_perplexity", Math.exp(m.valLoss()));
    }
    TraceMonitor.Stats s = monitor == null ? null : monitor.stats(m.epoch());
    if (s != null) {
      scalars.put("trace/mean_abs", s.meanAbs());
      scalars.put("trace/max", s.max());
      scalars.put("trace/min", s.min());
      scalars.put("trace/std", s.std());
      scalars.put("trace/near_zero_fraction", s.nearZero());
      scalars.put("trace/attention_entropy_nats", s.attentionEntropy());
      scalars.put("trace/effective_slots", s.effectiveSlots());
    }
    scalars.forEach((name, v) -> scalar(m.epoch(), name, v));
    float[][] map = monitor == null ? null : monitor.heatMap(m.epoch());
    if (map != null) {
      image(m.epoch(), "trace/heatmap", map);
    }
    session.runner().addTarget(flush).run().close();
  }

  private void scalar(int epoch, String name, double v) {
    if (Double.isNaN(v)) {
      return; // no validation data, or no attention (H-Mem)
    }
    try (TInt64 st = TInt64.scalarOf(epoch);
        TString t = TString.scalarOf(name);
        TFloat32 x = TFloat32.scalarOf((float) v);
        Result r =
            session
                .runner()
                .feed(step, st)
                .feed(tag, t)
                .feed(value, x)
                .addTarget(writeScalar)
                .run()) {
      // written
    }
  }

  private void image(int epoch, String name, float[][] rows) {
    int h = rows.length;
    int w = rows[0].length;
    float[] flat = new float[h * w];
    for (int i = 0; i < h; i++) {
      System.arraycopy(rows[i], 0, flat, i * w, w);
    }
    try (TInt64 st = TInt64.scalarOf(epoch);
        TString t = TString.scalarOf(name);
        Tensor x = TFloat32.tensorOf(Shape.of(1, h, w, 1), DataBuffers.of(flat, true, false));
        Result r =
            session
                .runner()
                .feed(step, st)
                .feed(tag, t)
                .feed(image, x)
                .addTarget(writeImage)
                .run()) {
      // written
    }
  }

  @Override
  public void close() {
    if (session == null) {
      return;
    }
    try {
      session.runner().addTarget(closeWriter).run().close();
    } finally {
      session.close();
      graph.close();
      session = null;
    }
  }
}
