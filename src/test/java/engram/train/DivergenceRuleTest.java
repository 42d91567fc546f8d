package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The divergence rule on hand-made loss sequences. */
class DivergenceRuleTest {

  @Test
  void stopsAfterStepsInARowAboveFactorTimesTheFirstLoss() {
    DivergenceRule.Watch w = new DivergenceRule.Watch(new DivergenceRule(10, 3), 0);
    assertNull(w.check(1, 1, 2.0)); // the reference: bound 20
    assertEquals(2.0, w.reference());
    assertNull(w.check(1, 2, 25));
    assertNull(w.check(1, 3, 25));
    assertNull(w.check(1, 4, 19.9)); // back in bounds: the count starts again
    assertEquals(0, w.aboveSince());
    assertNull(w.check(1, 5, 21));
    assertEquals(1, w.aboveSince());
    assertNull(w.check(2, 1, 1e9));
    DivergenceRule.Verdict v = w.check(2, 2, 3e9);
    assertEquals(1, v.sinceEpoch(), "the streak began in epoch 1");
    assertTrue(
        v.what().startsWith("epoch 2 step 2: loss 3.00e+09 has stayed above 10 x"), v.what());
    assertTrue(v.what().contains("(2.000)") && v.what().contains("for 3 steps"), v.what());
    assertTrue(v.what().contains("since epoch 1 step 5"), v.what());
  }

  @Test
  void aResumedRunKeepsItsReference() {
    DivergenceRule.Watch w = new DivergenceRule.Watch(new DivergenceRule(10, 1), 2.3);
    assertNull(w.check(5, 1, 0.1)); // not a new reference
    assertEquals(2.3, w.reference());
    assertEquals(5, w.check(5, 2, 23.5).sinceEpoch());
  }

  @Test
  void nanStopsAtOnceEvenWithTheFactorOff() {
    DivergenceRule.Watch w = new DivergenceRule.Watch(new DivergenceRule(0, 5), 0);
    assertNull(w.check(1, 1, 2.3));
    assertNull(w.check(1, 2, 1e30)); // factor 0: only non-finite losses stop a run
    DivergenceRule.Verdict v = w.check(3, 7, Double.NaN);
    assertEquals("epoch 3 step 7: loss is NaN", v.what());
    assertEquals(3, v.sinceEpoch());
  }

  @Test
  void badSettingsNameTheirKey() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new DivergenceRule(0.5, 5))
            .getMessage()
            .contains("train.divergence.factor"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new DivergenceRule(10, 0))
            .getMessage()
            .contains("train.divergence.steps"));
  }
}
