package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.Batch;
import engram.data.Batches;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scores that wait on the device ({@code train.fetchEvery}): steps that only write their slot and a
 * later step that fetches them give each step the loss and counts a step fetching its own gets, in
 * step order, and the weights move the same.
 */
class DeviceScoresTest {

  @BeforeAll
  static void load() throws Exception {
    PrecisionTest.load();
  }

  private static TrainingGraph graph(int slots) {
    return PrecisionTest.graph(TrainingGraph.Options.defaults(5).withScoreSlots(slots));
  }

  @Test
  void deferredStepsReportWhatPerStepFetchesReport() {
    // The training split in batches of 10: 6 steps, the last one partial. Fetch after steps 3 and
    // 6 (slots 0-2, then 0-2 again: the second interval reuses the slots the first one filled).
    Batches batches = Batches.inOrder(PrecisionTest.data.train(), 10);
    Batch batch = Batch.forDataset(PrecisionTest.data.train(), 10);
    List<TrainingGraph.BatchResult> each = new ArrayList<>();
    List<TrainingGraph.BatchResult> deferred = new ArrayList<>();
    try (TrainingGraph a = graph(0);
        TrainingGraph b = graph(4)) {
      assertEquals(0, a.scoreSlots());
      assertEquals(4, b.scoreSlots());
      int waiting = 0;
      for (int s = 0; s < batches.count(); s++) {
        batches.fill(s, batch);
        each.add(a.trainStep(batch, 0.01f, new long[] {1, s}));
        boolean fetch = s == 2 || s == batches.count() - 1;
        List<TrainingGraph.BatchResult> got =
            b.trainStep(batch, 0.01f, new long[] {1, s}, waiting, fetch);
        assertEquals(fetch ? waiting + 1 : 0, got.size(), "results after step " + s);
        deferred.addAll(got);
        waiting = fetch ? 0 : waiting + 1;
      }
      int n = batches.count();
      assertEquals(6, n, "58 training examples (64 less the validation tenth)");
      assertEquals(n, deferred.size());
      for (int s = 0; s < n; s++) {
        TrainingGraph.BatchResult x = each.get(s);
        TrainingGraph.BatchResult y = deferred.get(s);
        assertEquals(x.loss(), y.loss(), 1e-6 * Math.abs(x.loss()), "loss of step " + s);
        assertEquals(x.correct(), y.correct(), "correct of step " + s);
        assertEquals(x.size(), y.size(), "size of step " + s);
      }
      assertEquals(
          PrecisionTest.data.train().size() - 10 * (n - 1),
          deferred.get(n - 1).size(),
          "the last, partial batch");
      // Distinct losses: a slot read twice or left stale would repeat one.
      assertEquals(n, deferred.stream().mapToDouble(r -> r.loss()).distinct().count());
      assertEquals(PrecisionTest.weights(a).keySet(), PrecisionTest.weights(b).keySet());
      PrecisionTest.weights(a)
          .forEach(
              (name, w) -> {
                double[] v = PrecisionTest.weights(b).get(name);
                for (int i = 0; i < w.length; i++) {
                  assertEquals(w[i], v[i], 1e-6, name + "[" + i + "]");
                }
              });
    }
  }

  @Test
  void slotsOutsideTheBufferAreRefused() {
    try (TrainingGraph g = graph(3)) {
      Batch batch = Batch.forDataset(PrecisionTest.data.train(), 10);
      Batches.inOrder(PrecisionTest.data.train(), 10).fill(0, batch);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> g.trainStep(batch, 0.01f, new long[] {1, 0}, 3, true));
      assertTrue(e.getMessage().contains("outside this graph's 3 score slots"), e.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new TrainConfig(
                1, 1, 1e-3, 0, 1, null, 0, false, true, 1, 0, false, 0, false, null, false, null,
                null, -1));
  }
}
