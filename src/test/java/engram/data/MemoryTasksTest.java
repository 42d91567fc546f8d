package engram.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.train.RunConfig;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The memory benchmarks, checked sequence by sequence against their definitions (read back from the
 * one-hot inputs, not from the generator's own records), for determinism, and for the statistics a
 * memory-free model would score.
 */
class MemoryTasksTest {

  private static int[] symbolsOf(float[] x, int offset, int length, int width) {
    int[] s = new int[length];
    for (int t = 0; t < length; t++) {
      s[t] = -1;
      int ones = 0;
      for (int i = 0; i < width; i++) {
        float v = x[offset + t * width + i];
        assertTrue(v == 0f || v == 1f, "one-hot entries are 0 or 1");
        if (v == 1f) {
          s[t] = i;
          ones++;
        }
      }
      assertTrue(ones <= 1, "at most one symbol per step");
    }
    return s;
  }

  @Test
  void recallSequencesFollowTheFastWeightsLayout() {
    int length = 15; // K = 4 pairs, 4 blank steps, ??, query
    Splits s = MemoryTasks.load(DataConfig.memoryDefaults("recall", length, 4));
    Dataset d = s.train();
    assertEquals(18_000, d.size());
    assertEquals(2_000, s.validation().size());
    assertEquals(2_000, s.test().size());
    int[] answers = new int[10];
    float[] x = new float[length * 37];
    for (int i = 0; i < d.size(); i++) {
      d.copyFloats(0, i, x, 0);
      int[] sym = symbolsOf(x, 0, length, 37);
      Set<Integer> keys = new HashSet<>();
      int expected = -1;
      for (int p = 0; p < 4; p++) {
        assertTrue(sym[2 * p] >= 0 && sym[2 * p] < 26, "a letter key");
        assertTrue(sym[2 * p + 1] >= 26 && sym[2 * p + 1] < 36, "a digit value");
        assertTrue(keys.add(sym[2 * p]), "keys are distinct");
        if (sym[2 * p] == sym[length - 1]) {
          expected = sym[2 * p + 1] - 26;
        }
      }
      for (int t = 8; t < length - 3; t++) {
        assertEquals(-1, sym[t], "blank delay step");
      }
      assertEquals(36, sym[length - 3]);
      assertEquals(36, sym[length - 2]);
      assertTrue(expected >= 0, "the query is one of the stored keys");
      assertEquals(expected, d.label(i));
      answers[expected]++;
    }
    // Values are uniform over 10 digits: a memory-free guess scores about 10 %.
    for (int a : answers) {
      assertTrue(a > 0.09 * d.size() && a < 0.11 * d.size(), Arrays.toString(answers));
    }
  }

  @Test
  void copySequencesAskForTheirSymbolsAfterTheDelimiter() {
    int length = 27; // L = 5, delay 16
    Dataset d = MemoryTasks.load(DataConfig.memoryDefaults("copy", length, 5)).test();
    assertEquals(Target.classPerStep(length, 8), d.target());
    float[] x = new float[length * 10];
    int[] y = new int[length];
    int[] counts = new int[8];
    for (int i = 0; i < d.size(); i++) {
      d.copyFloats(0, i, x, 0);
      d.copyTargets(i, y, 0);
      int[] sym = symbolsOf(x, 0, length, 10);
      for (int t = 0; t < length; t++) {
        if (t < 5) {
          assertTrue(sym[t] < 8, "a symbol");
          assertEquals(Target.IGNORE, y[t]);
          assertEquals(sym[t], y[length - 5 + t], "recalled in order");
          counts[sym[t]]++;
        } else if (t == length - 6) {
          assertEquals(9, sym[t], "the delimiter");
          assertEquals(Target.IGNORE, y[t]);
        } else {
          assertEquals(8, sym[t], "blank");
          assertTrue(t >= length - 5 || y[t] == Target.IGNORE);
        }
      }
    }
    for (int c : counts) {
      assertTrue(c > 0.11 * 5 * d.size() && c < 0.14 * 5 * d.size(), Arrays.toString(counts));
    }
  }

  @Test
  void addingTargetsAreTheSumOfTheMarkedNumbers() {
    int length = 30;
    Dataset d = MemoryTasks.load(DataConfig.memoryDefaults("adding", length, 3)).train();
    assertEquals(Target.values(1), d.target());
    float[] x = new float[2 * length];
    float[] y = new float[1];
    double meanSquaredFromHalf = 0;
    for (int i = 0; i < d.size(); i++) {
      d.copyFloats(0, i, x, 0);
      d.copyTargetValues(i, y, 0);
      double sum = 0;
      int[] perSegment = new int[3];
      for (int t = 0; t < length; t++) {
        assertTrue(x[2 * t] >= 0 && x[2 * t] < 1);
        if (x[2 * t + 1] == 1f) {
          sum += x[2 * t];
          perSegment[t / 10]++;
        } else {
          assertEquals(0f, x[2 * t + 1]);
        }
      }
      assertArrayEquals(new int[] {1, 1, 1}, perSegment, "one marker in each third");
      assertEquals(sum, y[0], 1e-6);
      meanSquaredFromHalf += (y[0] - 1.5) * (y[0] - 1.5) / d.size();
    }
    // Predicting n/2 = 1.5 scores the variance of a sum of 3 uniforms, 3/12 = 0.25.
    assertEquals(0.25, meanSquaredFromHalf, 0.01);
  }

  @Test
  void sequencesDependOnSeedFileAndIndexOnly() {
    DataConfig c = DataConfig.memoryDefaults("copy", null, null);
    Dataset a = MemoryTasks.load(c).train();
    Dataset b = MemoryTasks.load(c).train();
    Dataset test = MemoryTasks.load(c).test();
    int n = 71 * 10;
    float[] xa = new float[n];
    float[] xb = new float[n];
    float[] xt = new float[n];
    a.copyFloats(0, 123, xa, 0);
    b.copyFloats(0, 123, xb, 0);
    test.copyFloats(0, 123, xt, 0);
    assertArrayEquals(xa, xb, "the same sequence every time it is read");
    assertFalse(Arrays.equals(xa, xt), "the test file draws other sequences");
    b.copyFloats(0, 124, xb, 0);
    assertNotEquals(Arrays.toString(xa), Arrays.toString(xb));
  }

  @Test
  void configDefaultsAndErrorsNameTheFix() throws Exception {
    DataConfig recall = DataConfig.memoryDefaults("recall", null, null);
    assertEquals(4, recall.items());
    assertEquals(11, recall.length(), "c9k8j3f1??c");
    assertEquals(20_000, recall.examples());
    assertEquals(
        71, DataConfig.memoryDefaults("copy", null, null).length(), "10 symbols, delay 50");
    assertEquals(50, DataConfig.memoryDefaults("adding", null, null).length());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> DataConfig.memoryDefaults("copy", 20, 10));
    assertEquals(
        "data.length 20 is too short for 10 items of copy: it needs >= 21 steps", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> DataConfig.memoryDefaults("recall", null, 27));
    assertTrue(e.getMessage().contains("1..26 (distinct keys)"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new DataConfig(
                    "mnist", null, 0, null, 0.1, 42, 0, 0, 0, 0, null, null, 0, null, 50, null,
                    null));
    assertTrue(e.getMessage().startsWith("data.length, data.items and data.examples apply to"));

    // Other datasets' configs keep their JSON: finished runs still match their presets.
    String json = RunConfig.json().writeValueAsString(DataConfig.associationDefaults(10));
    assertFalse(json.contains("length") || json.contains("items") || json.contains("examples"));
    assertTrue(
        RunConfig.json().writeValueAsString(recall).replace(" ", "").contains("\"items\":4"));
  }
}
