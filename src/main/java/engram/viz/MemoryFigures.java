package engram.viz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Figures of the memory comparison: grouped bars, one group per benchmark and one bar per model,
 * for the test score ({@code accuracy.png}, {@code mse.png}), the ENN attention's effective number
 * of slots ({@code effective-slots.png}) and the wall time per epoch ({@code
 * seconds-per-epoch.png}).
 */
public final class MemoryFigures {

  private MemoryFigures() {}

  /**
   * Grouped bars of {@code values.get(model)[i]} at {@code groups.get(i)}; a NaN (a run not made,
   * or a value a model does not have) is drawn as no bar.
   */
  public static CategoryChart bars(
      String title, String y, List<String> groups, Map<String, double[]> values) {
    System.setProperty("java.awt.headless", "true");
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(Figures.WIDTH)
            .height(Figures.HEIGHT)
            .title(title)
            .xAxisTitle("benchmark")
            .yAxisTitle(y)
            .build();
    for (Map.Entry<String, double[]> s : values.entrySet()) {
      List<Double> ys = new ArrayList<>();
      for (double v : s.getValue()) {
        ys.add(Double.isNaN(v) ? null : v);
      }
      chart.addSeries(s.getKey(), groups, ys);
    }
    chart.getStyler().setAvailableSpaceFill(0.8);
    chart.getStyler().setDecimalPattern("#0.###");
    return chart;
  }
}
