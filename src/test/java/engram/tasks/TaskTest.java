package engram.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.data.Target;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Each task's scores on constants, against values computed by hand. */
class TaskTest {

  /** Runs {@code task}'s scores: objective, loss sum, count, correct. */
  static float[] score(Task task, float[][] outputs, Object targets) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var y =
          targets instanceof int[] i
              ? tf.constant(i)
              : targets instanceof int[][] ii ? tf.constant(ii) : tf.constant((float[][]) targets);
      Task.Scores<TFloat32> sc = task.score(tf, tf.constant(outputs), y);
      try (Result r =
          s.runner()
              .fetch(sc.objective())
              .fetch(sc.lossSum())
              .fetch(sc.count())
              .fetch(sc.correct())
              .run()) {
        float[] out = new float[4];
        for (int i = 0; i < 4; i++) {
          out[i] = ((TFloat32) r.get(i)).getFloat();
        }
        return out;
      }
    }
  }

  @Test
  void meanSquaredErrorPerExample() {
    // Example 1: ((1-0)^2 + (2-4)^2) / 2 = 2.5; example 2: ((0-0)^2 + (-1-1)^2) / 2 = 2.
    float[] s =
        score(
            Task.of(Target.values(2)),
            new float[][] {{1, 2}, {0, -1}},
            new float[][] {{0, 4}, {0, 1}});
    assertEquals(2.25f, s[0], 1e-6);
    assertEquals(4.5f, s[1], 1e-6);
    assertEquals(2f, s[2]);
  }

  @Test
  void crossEntropyAndAccuracyPerExample() {
    // logits (0, ln 3): p = (1/4, 3/4). Label 1: -ln(3/4); label 0: -ln(1/4). Arg-max 1 both.
    float ln3 = (float) Math.log(3);
    float[] s =
        score(Task.of(Target.classOf(2)), new float[][] {{0, ln3}, {0, ln3}}, new int[] {1, 0});
    double sum = -Math.log(0.75) - Math.log(0.25);
    assertEquals(sum / 2, s[0], 1e-6);
    assertEquals(sum, s[1], 1e-6);
    assertEquals(2f, s[2]);
    assertEquals(1f, s[3]);
  }
}
