package engram.data;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The mini-batches of one pass over a dataset: a seeded shuffle (or the stored order), cut into
 * batches of {@code batchSize}; the last batch keeps the remainder, as Keras' {@code fit} does.
 */
public final class Batches {

  private final Dataset data;
  private final int[] order;
  private final int batchSize;

  private Batches(Dataset data, int[] order, int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    }
    this.data = data;
    this.order = order;
    this.batchSize = batchSize;
  }

  /** Batches in the stored order (for evaluation). */
  public static Batches inOrder(Dataset data, int batchSize) {
    return new Batches(data, IntStream.range(0, data.size()).toArray(), batchSize);
  }

  /** Batches in a Fisher-Yates shuffle drawn from {@code seed}. */
  public static Batches shuffled(Dataset data, int batchSize, long seed) {
    return new Batches(data, permutation(data.size(), seed), batchSize);
  }

  /** A Fisher-Yates permutation of {@code 0 .. n-1} drawn from {@code seed}. */
  public static int[] permutation(int n, long seed) {
    int[] order = IntStream.range(0, n).toArray();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }

  /** Number of batches, the last one possibly smaller. */
  public int count() {
    return (order.length + batchSize - 1) / batchSize;
  }

  /** Number of examples in batch {@code b}. */
  public int size(int b) {
    return Math.min(batchSize, order.length - b * batchSize);
  }

  /** Copies batch {@code b} (inputs and targets) into {@code batch}'s buffers. */
  public void fill(int b, Batch batch) {
    fillRows(b, batch, 0, size(b));
  }

  /**
   * Copies worker {@code part}'s share of batch {@code b}, rows {@code [ceil(part n / parts),
   * ceil((part + 1) n / parts))}, into {@code batch}: in a job of several worker processes each
   * reads only its own rows of every global batch.
   */
  public void fillShard(int b, Batch batch, int part, int parts) {
    long n = size(b);
    int from = (int) ((part * n + parts - 1) / parts);
    int to = (int) (((part + 1) * n + parts - 1) / parts);
    fillRows(b, batch, from, to);
  }

  private void fillRows(int b, Batch batch, int from, int to) {
    List<Feature> inputs = data.inputs();
    for (int i = 0; i < to - from; i++) {
      int example = order[b * batchSize + from + i];
      for (int f = 0; f < inputs.size(); f++) {
        Feature feature = inputs.get(f);
        if (feature.kind() == Feature.Kind.FLOAT) {
          data.copyFloats(f, example, batch.floats(f), i * feature.size());
        } else {
          data.copyInts(f, example, batch.ints(f), i * feature.size());
        }
      }
      Target target = batch.target();
      if (target.kind() == Target.Kind.VALUES) {
        data.copyTargetValues(example, batch.targetValues(), i * target.size());
      } else {
        data.copyTargets(example, batch.targets(), i * target.size());
      }
    }
    batch.setSize(to - from, false);
  }

  /**
   * Batch {@code b} as {@link #fill} copies it or, when {@code residentOffset >= 0}, named by rows
   * instead: example {@code i} of this dataset is then row {@code residentOffset + i} of a store
   * that already holds the dataset (the device-resident data; a graph's {@code residentOffset}, -1
   * when the dataset is not there).
   */
  public void fill(int b, Batch batch, int residentOffset) {
    if (residentOffset >= 0) {
      selectRows(b, batch, residentOffset);
    } else {
      fill(b, batch);
    }
  }

  private void selectRows(int b, Batch batch, int offset) {
    int n = size(b);
    for (int i = 0; i < n; i++) {
      batch.rows()[i] = offset + order[b * batchSize + i];
    }
    batch.setSize(n, true);
  }
}
