package engram.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.Splits;
import engram.runtime.Progress;
import engram.train.RunConfig;
import engram.train.TraceMonitor;
import engram.train.Trainer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapSeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;

/** Short monitored runs: the recorded files, the figures drawn from them, and the PNGs. */
class FiguresTest {

  static final Path DATA = Path.of("..", "shared", "data");

  static Path train(Path dir, String preset) throws Exception {
    RunConfig c = RunConfig.parsePreset(preset, "test");
    new Trainer(c, Splits.load(c.data(), DATA), dir, Progress.none(), null).run(false);
    return dir;
  }

  /** Every PNG opens, has the chart's size and is not a constant image. */
  static void assertDrawn(List<Path> files) throws Exception {
    for (Path f : files) {
      BufferedImage image = ImageIO.read(f.toFile());
      assertEquals(Figures.WIDTH, image.getWidth(), f.toString());
      assertEquals(Figures.HEIGHT, image.getHeight(), f.toString());
      double sum = 0;
      double sumSq = 0;
      int n = 0;
      for (int y = 0; y < image.getHeight(); y += 3) {
        for (int x = 0; x < image.getWidth(); x += 3) {
          int rgb = image.getRGB(x, y);
          double grey = ((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255);
          sum += grey;
          sumSq += grey * grey;
          n++;
        }
      }
      double variance = sumSq / n - (sum / n) * (sum / n);
      assertTrue(variance > 100, f + " looks blank (pixel variance " + variance + ")");
    }
  }

  /** The heat map's cells are exactly {@code values}. */
  static void assertHeatmapOf(float[][] values, Chart<?, ?> chart) {
    HeatMapSeries series = ((HeatMapChart) chart).getSeriesMap().values().iterator().next();
    List<? extends Number[]> cells = series.getHeatData();
    assertEquals(values.length * values[0].length, cells.size());
    for (Number[] cell : cells) {
      assertEquals(
          values[cell[1].intValue()][cell[0].intValue()], cell[2].floatValue(), 0f, "cell");
    }
  }

  @Test
  void ennRunRecordsItsTraceAndDrawsItsFigures(@TempDir Path tmp) throws Exception {
    Path run =
        train(
            tmp.resolve("enn"),
            "{\"model\": {\"type\": \"enn\", \"units\": [16], \"engram\": {\"memorySize\": 8}},"
                + " \"train\": {\"epochs\": 2, \"batchSize\": 32, \"monitor\": true},"
                + " \"data\": {\"trainLimit\": 600, \"testLimit\": 64}}");
    List<TraceMonitor.Stats> stats = TraceMonitor.readStats(run.resolve(TraceMonitor.STATS));
    assertEquals(2, stats.size());
    RunRecord record = RunRecord.read(run);
    assertEquals(List.of(1, 2), List.copyOf(record.traces().keySet()));
    float[][] last = record.traces().get(2);
    assertEquals(8, last.length, "M rows");
    assertEquals(16, last[0].length, "H columns");
    assertEquals(28, record.attention().get(2).length, "T rows");
    // The CSV's statistics are those of the recorded final trace.
    float[] flat = new float[8 * 16];
    for (int m = 0; m < 8; m++) {
      System.arraycopy(last[m], 0, flat, m * 16, 16);
    }
    assertEquals(stats.get(1).meanAbs(), mean(flat), 1e-6);

    Map<String, Chart<?, ?>> charts = Figures.charts(record);
    assertHeatmapOf(last, charts.get("trace-final.png"));
    assertHeatmapOf(record.traces().get(1), charts.get("trace-initial.png"));
    assertHeatmapOf(
        Figures.difference(last, record.traces().get(1)), charts.get("trace-difference.png"));
    assertHeatmapOf(record.attention().get(2), charts.get("attention.png"));
    XYChart loss = (XYChart) charts.get("loss.png");
    assertArrayEquals(
        record.metric("train_loss"), loss.getSeriesMap().get("train").getYData(), 0.0);
    for (Chart<?, ?> c : charts.values()) {
      assertTrue(
          !c.getTitle().isEmpty() && !c.getXAxisTitle().isEmpty() && !c.getYAxisTitle().isEmpty());
    }

    List<Path> files = Figures.render(record, run);
    assertEquals(
        List.of(
            "loss.png",
            "accuracy.png",
            "trace-stats.png",
            "trace-final.png",
            "trace-initial.png",
            "trace-difference.png",
            "attention.png",
            "attention-stats.png"),
        files.stream().map(p -> p.getFileName().toString()).toList());
    assertDrawn(files);
  }

  @Test
  void hmemRunDrawsItsAssociationMatrix(@TempDir Path tmp) throws Exception {
    Path run =
        train(
            tmp.resolve("hmem"),
            "{\"model\": {\"type\": \"hmem\", \"hmem\": {\"embeddingSize\": 16, \"memorySize\":"
                + " 12, \"hops\": 2, \"encoding\": \"le\", \"gammaPos\": 0.01, \"gammaNeg\":"
                + " 0.01, \"wMax\": 1.0, \"l2\": 0.001}},"
                + " \"train\": {\"epochs\": 2, \"batchSize\": 32, \"monitor\": true},"
                + " \"data\": {\"dataset\": \"babi\", \"task\": 1, \"size\": \"1k\","
                + " \"trainLimit\": 200, \"testLimit\": 50}}");
    RunRecord record = RunRecord.read(run);
    float[][] memory = record.memories().get(2);
    assertEquals(12, memory.length);
    Map<String, Chart<?, ?>> charts = Figures.charts(record);
    assertHeatmapOf(memory, charts.get("memory.png"));
    List<Path> files = Figures.render(record, run);
    assertTrue(files.contains(run.resolve("memory.png")));
    assertDrawn(files);
  }

  private static double mean(float[] v) {
    double s = 0;
    for (float x : v) {
      s += Math.abs(x);
    }
    return s / v.length;
  }
}
