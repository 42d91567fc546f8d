package engram.viz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Figures of the image-association experiment: {@code accuracy-vs-delay.png} (the H-Mem paper's
 * Figure 2B: test accuracy of each model against the delay, with the accuracy of a model that
 * cannot bind) and {@code memory.png} (the association matrix one test story leaves in H-Mem).
 */
public final class AssociationFigures {

  private AssociationFigures() {}

  /** Test accuracy against delay, one line per model, and the no-binding chance level. */
  public static XYChart accuracyVsDelay(
      Map<String, double[]> accuracy, double[] delays, double chance) {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        Figures.lines(
            "One-shot image association: test accuracy against delay",
            "delay D (frames after each pair)",
            "test accuracy",
            delays,
            accuracy);
    double[] level = new double[delays.length];
    java.util.Arrays.fill(level, chance);
    chart
        .addSeries("chance without binding", delays, level)
        .setMarker(SeriesMarkers.NONE)
        .setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    return chart;
  }

  /** The association matrix M [key unit, value unit] a test story left. */
  public static Chart<?, ?> memory(float[][] matrix, String title) {
    System.setProperty("java.awt.headless", "true");
    return Figures.heatmap(title, "Value unit", "Key unit", matrix, Figures.SEQUENTIAL, false);
  }

  /** Reads a matrix written as CSV rows. */
  public static float[][] readMatrix(Path csv) throws IOException {
    List<String> rows = Files.readAllLines(csv);
    float[][] out = new float[rows.size()][];
    for (int r = 0; r < out.length; r++) {
      String[] cells = rows.get(r).split(",");
      out[r] = new float[cells.length];
      for (int c = 0; c < cells.length; c++) {
        out[r][c] = Float.parseFloat(cells[c]);
      }
    }
    return out;
  }
}
