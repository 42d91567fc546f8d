package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TraceMonitorTest {

  @Test
  void statisticsByHand() {
    // values 0.005, -0.02, 0.03, 0: mean |v| 0.01375, mean 0.00375; squared deviations
    // 1.5625e-6 + 5.640625e-4 + 6.890625e-4 + 1.40625e-5 = 1.26875e-3, /4 -> std 0.0178097;
    // |v| < 0.01 for 0.005 and 0: near-zero fraction 0.5.
    // attention rows [0.5, 0.5] (entropy ln 2, exp 2) and [1, 0] (entropy 0, exp 1).
    TraceMonitor.Stats s =
        TraceMonitor.stats(
            3, new float[] {0.005f, -0.02f, 0.03f, 0f}, new float[] {0.5f, 0.5f, 1f, 0f}, 2);
    assertEquals(3, s.epoch());
    assertEquals(0.01375, s.meanAbs(), 1e-8);
    assertEquals(0.03, s.max(), 1e-8);
    assertEquals(-0.02, s.min(), 1e-8);
    assertEquals(Math.sqrt(1.26875e-3 / 4), s.std(), 1e-8);
    assertEquals(0.5, s.nearZero());
    assertEquals(Math.log(2) / 2, s.attentionEntropy(), 1e-7);
    assertEquals(1.5, s.effectiveSlots(), 1e-7);
    assertTrue(Double.isNaN(TraceMonitor.stats(1, new float[] {1f}, null, 0).attentionEntropy()));
  }
}
