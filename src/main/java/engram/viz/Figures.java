package engram.viz;

import engram.io.AtomicFiles;
import engram.train.TraceMonitor;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG figures of a run, drawn with XChart from what the run recorded ({@link RunRecord}):
 *
 * <ul>
 *   <li>{@code loss.png}, {@code accuracy.png}: training and validation curves per epoch;
 *   <li>ENN: {@code trace-final.png}, {@code trace-initial.png} (first monitored epoch), {@code
 *       trace-difference.png} (final − initial, blue-white-red centred at 0), {@code
 *       trace-stats.png} (mean |trace|, max, min, std, near-zero fraction per epoch), {@code
 *       attention.png} (time steps × memory slots for the first sample, last epoch) and {@code
 *       attention-stats.png} (entropy and effective number of active slots per epoch);
 *   <li>H-Mem: {@code memory.png} (the first story's association matrix after the story, last
 *       epoch), {@code memory-difference.png} and {@code trace-stats.png}.
 * </ul>
 */
public final class Figures {

  static final int WIDTH = 900;
  static final int HEIGHT = 600;

  /** Sequential colour map (dark blue to yellow, viridis-like). */
  static final Color[] SEQUENTIAL = {
    new Color(68, 1, 84),
    new Color(59, 82, 139),
    new Color(33, 145, 140),
    new Color(94, 201, 98),
    new Color(253, 231, 37)
  };

  /** Diverging colour map: blue, white at 0, red. */
  static final Color[] DIVERGING = {
    new Color(59, 76, 192), new Color(221, 221, 221), new Color(180, 4, 38)
  };

  private Figures() {}

  /** Draws every figure {@code record} has data for; returns them by file name. */
  public static Map<String, Chart<?, ?>> charts(RunRecord record) {
    System.setProperty("java.awt.headless", "true");
    Map<String, Chart<?, ?>> out = new LinkedHashMap<>();
    double[] epochs = record.epochs();
    out.put(
        "loss.png",
        lines(
            "Training and validation loss",
            "Epoch",
            "Cross-entropy (nats)",
            epochs,
            Map.of("train", record.metric("train_loss"), "validation", record.metric("val_loss"))));
    out.put(
        "accuracy.png",
        lines(
            "Training and validation accuracy",
            "Epoch",
            "Accuracy",
            epochs,
            Map.of(
                "train",
                record.metric("train_accuracy"),
                "validation",
                record.metric("val_accuracy"))));
    boolean enn = !record.traces().isEmpty();
    if (!record.stats().isEmpty()) {
      Map<String, double[]> stats = new LinkedHashMap<>();
      stats.put("mean |value|", record.stat(TraceMonitor.Stats::meanAbs));
      stats.put("max", record.stat(TraceMonitor.Stats::max));
      stats.put("min", record.stat(TraceMonitor.Stats::min));
      stats.put("std", record.stat(TraceMonitor.Stats::std));
      stats.put("near-zero fraction (right axis)", record.stat(TraceMonitor.Stats::nearZero));
      XYChart chart =
          lines(
              enn ? "Hebbian trace statistics per epoch" : "Association matrix statistics",
              "Epoch",
              "Value",
              record.statEpochs(),
              stats);
      // The fraction lives in [0, 1], the values near 0.01: give it its own axis.
      chart.getSeriesMap().get("near-zero fraction (right axis)").setYAxisGroup(1);
      chart.setYAxisGroupTitle(1, "Fraction with |value| < " + TraceMonitor.NEAR_ZERO);
      chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
      out.put("trace-stats.png", chart);
    }
    if (enn) {
      float[][] first = record.traces().firstEntry().getValue();
      float[][] last = record.traces().lastEntry().getValue();
      int lastEpoch = record.traces().lastKey();
      out.put(
          "trace-final.png",
          heatmap(
              "Final Hebbian trace (epoch " + lastEpoch + ")",
              "Hidden dimension",
              "Memory slot",
              last,
              SEQUENTIAL,
              false));
      out.put(
          "trace-initial.png",
          heatmap(
              "Initial Hebbian trace (epoch " + record.traces().firstKey() + ")",
              "Hidden dimension",
              "Memory slot",
              first,
              SEQUENTIAL,
              false));
      out.put(
          "trace-difference.png",
          heatmap(
              "Trace difference (final - initial)",
              "Hidden dimension",
              "Memory slot",
              difference(last, first),
              DIVERGING,
              true));
      out.put(
          "attention.png",
          heatmap(
              "Attention of the first sample (epoch " + record.attention().lastKey() + ")",
              "Memory slot",
              "Time step",
              record.attention().lastEntry().getValue(),
              SEQUENTIAL,
              false));
      Map<String, double[]> attention = new LinkedHashMap<>();
      attention.put("entropy (nats)", record.stat(TraceMonitor.Stats::attentionEntropy));
      attention.put("effective active slots", record.stat(TraceMonitor.Stats::effectiveSlots));
      out.put(
          "attention-stats.png",
          lines(
              "Attention spread per epoch",
              "Epoch",
              "Entropy (nats) / slots",
              record.statEpochs(),
              attention));
    }
    if (!record.memories().isEmpty()) {
      float[][] last = record.memories().lastEntry().getValue();
      out.put(
          "memory.png",
          heatmap(
              "Association matrix after the first story (epoch "
                  + record.memories().lastKey()
                  + ")",
              "Value unit",
              "Key unit",
              last,
              SEQUENTIAL,
              false));
      out.put(
          "memory-difference.png",
          heatmap(
              "Association matrix, last - first monitored epoch",
              "Value unit",
              "Key unit",
              difference(last, record.memories().firstEntry().getValue()),
              DIVERGING,
              true));
    }
    return out;
  }

  /** Writes {@link #charts} as PNG files into {@code dir}; returns the files. */
  public static List<Path> render(RunRecord record, Path dir) throws IOException {
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, Chart<?, ?>> e : charts(record).entrySet()) {
      Path target = dir.resolve(e.getKey());
      writePng(e.getValue(), target);
      written.add(target);
    }
    return written;
  }

  /** Writes {@code chart} as a PNG, atomically. */
  public static void writePng(Chart<?, ?> chart, Path target) throws IOException {
    AtomicFiles.write(target, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
  }

  /** Reads {@code runDir} and writes its figures there. */
  public static List<Path> render(Path runDir) throws IOException {
    return render(RunRecord.read(runDir), runDir);
  }

  static XYChart lines(
      String title, String x, String y, double[] xs, Map<String, double[]> series) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(x)
            .yAxisTitle(y)
            .build();
    for (Map.Entry<String, double[]> s : series.entrySet()) {
      // Epochs without validation are NaN; XChart draws gaps for them.
      chart.addSeries(s.getKey(), xs, s.getValue()).setMarker(SeriesMarkers.CIRCLE);
    }
    chart.getStyler().setDecimalPattern("#0.###");
    return chart;
  }

  /**
   * A heat map of {@code values[row][column]}: columns along x, rows along y; a diverging map is
   * centred at 0 (its range is symmetric).
   */
  static HeatMapChart heatmap(
      String title, String x, String y, float[][] values, Color[] colors, boolean centred) {
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(x)
            .yAxisTitle(y)
            .build();
    List<Number[]> cells = new ArrayList<>();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int r = 0; r < values.length; r++) {
      for (int c = 0; c < values[r].length; c++) {
        cells.add(new Number[] {c, r, values[r][c]});
        min = Math.min(min, values[r][c]);
        max = Math.max(max, values[r][c]);
      }
    }
    if (centred) {
      double bound = Math.max(Math.abs(min), Math.abs(max));
      min = -bound;
      max = bound;
    }
    if (!(max > min)) {
      max = min + 1e-12; // a constant array still renders
    }
    chart.addSeries(title, ticks(values[0].length), ticks(values.length), cells);
    chart
        .getStyler()
        .setRangeColors(colors)
        .setMin(min)
        .setMax(max)
        .setShowValue(false)
        .setDrawBorder(false)
        .setHeatMapDecimalValueFormatter(v -> String.format(java.util.Locale.ROOT, "%.3g", v));
    chart.getStyler().setPlotGridLinesVisible(false);
    return chart;
  }

  /** Axis labels 0..n-1, only every k-th shown so that they stay readable (k = 1, 2, 4, 8 ...). */
  static List<String> ticks(int n) {
    int every = 1;
    while (n / every > 16) {
      every *= 2;
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      // Hidden labels are distinct strings of spaces: XChart keys categories by label.
      out.add(i % every == 0 ? Integer.toString(i) : " ".repeat(1 + i % every));
    }
    return out;
  }

  static float[][] difference(float[][] a, float[][] b) {
    float[][] out = new float[a.length][a[0].length];
    for (int r = 0; r < a.length; r++) {
      for (int c = 0; c < a[r].length; c++) {
        out[r][c] = a[r][c] - b[r][c];
      }
    }
    return out;
  }
}
