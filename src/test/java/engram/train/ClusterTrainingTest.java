package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.Batch;
import engram.data.Batches;
import engram.distributed.Replicas;
import engram.models.ModelType;
import engram.testing.Subprocess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two worker JVMs on loopback, one replica each, all-reducing over TensorFlow's gRPC runtime: after
 * 20 float64 steps both hold the same weights, equal to one process training on the whole global
 * batch (1e-12).
 */
class ClusterTrainingTest {

  @Test
  void twoWorkersFollowOneProcess(@TempDir Path tmp) throws Exception {
    String cluster = "localhost:" + Subprocess.freePort() + ",localhost:" + Subprocess.freePort();
    Process[] workers = new Process[2];
    for (int t = 0; t < 2; t++) {
      workers[t] =
          Subprocess.java(
                  Path.of("").toAbsolutePath(),
                  ClusterWorker.class.getName(),
                  cluster,
                  Integer.toString(t),
                  "lstm",
                  tmp.resolve("task" + t + ".txt").toString())
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("task" + t + ".log").toFile())
              .start();
    }
    for (int t = 0; t < 2; t++) {
      boolean done = workers[t].waitFor(180, TimeUnit.SECONDS);
      if (!done) {
        workers[0].destroyForcibly();
        workers[1].destroyForcibly();
      }
      assertTrue(done, "task " + t + " did not finish");
      assertEquals(
          0,
          workers[t].exitValue(),
          "task " + t + ": " + Files.readString(tmp.resolve("task" + t + ".log")));
    }
    List<String> task0 = Files.readAllLines(tmp.resolve("task0.txt"));
    List<String> task1 = Files.readAllLines(tmp.resolve("task1.txt"));
    assertEquals(task0, task1, "both tasks report the same losses and hold the same weights");

    PrecisionTest.load();
    Batches order = Batches.inOrder(PrecisionTest.data.train(), 25);
    Batch batch = Batch.forDataset(PrecisionTest.data.train(), 25);
    try (TrainingGraph one = ReplicatedTrainingTest.graph(ModelType.LSTM, Replicas.single())) {
      for (int step = 0; step < 20; step++) {
        order.fill(step % order.count(), batch);
        TrainingGraph.BatchResult r = one.trainStep(batch, 1e-2f, new long[] {9, step});
        String[] w = task0.get(step).split(" ");
        assertEquals(r.loss(), Double.parseDouble(w[0]), 1e-12, "loss at step " + step);
        assertEquals(r.size(), Long.parseLong(w[1]));
        assertEquals(r.correct(), Long.parseLong(w[2]));
      }
      int line = 20;
      for (Map.Entry<String, double[]> e : PrecisionTest.weights(one).entrySet()) {
        String[] w = task0.get(line++).split(" ");
        assertEquals(e.getKey(), w[0]);
        for (int i = 0; i < e.getValue().length; i++) {
          assertEquals(e.getValue()[i], Double.parseDouble(w[i + 1]), 1e-12, w[0] + "[" + i + "]");
        }
      }
    }
  }
}
