package engram.train;

import engram.data.Batch;
import engram.data.Batches;
import engram.distributed.Cluster;
import engram.distributed.Replicas;
import engram.models.ModelType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One worker process of {@link ClusterTrainingTest}: as task {@code i} of a loopback cluster,
 * trains {@link ReplicatedTrainingTest}'s float64 model for 20 steps on its rows of every global
 * batch of 25, then writes every step's (global) loss, count and correct count, and its final
 * weights.
 *
 * <p>Arguments: {@code host:port,host:port task model out-file}.
 */
public final class ClusterWorker {

  private ClusterWorker() {}

  public static void main(String[] args) {
    try {
      Cluster cluster = Cluster.parse(args[0], Integer.parseInt(args[1]));
      ModelType type = ModelType.parse(args[2]);
      cluster.startServer();
      PrecisionTest.load();
      Batches order = Batches.inOrder(PrecisionTest.data.train(), 25);
      Batch batch = Batch.forDataset(PrecisionTest.data.train(), 25);
      StringBuilder out = new StringBuilder();
      try (TrainingGraph g =
          ReplicatedTrainingTest.graph(type, Replicas.single(), o -> o.withCluster(cluster))) {
        for (int step = 0; step < 20; step++) {
          order.fillShard(step % order.count(), batch, cluster.task(), 2);
          TrainingGraph.BatchResult r = g.trainStep(batch, 1e-2f, new long[] {9, step});
          out.append(r.loss()).append(' ').append(r.size()).append(' ').append(r.correct());
          out.append('\n');
        }
        for (Map.Entry<String, double[]> w : PrecisionTest.weights(g).entrySet()) {
          out.append(w.getKey());
          for (double v : w.getValue()) {
            out.append(' ').append(v);
          }
          out.append('\n');
        }
      }
      Files.writeString(Path.of(args[3]), out);
      System.exit(0); // the gRPC server cannot be stopped; exiting ends it
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }
}
