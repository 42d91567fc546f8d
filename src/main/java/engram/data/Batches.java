package engram.data;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The mini-batches of one pass over a dataset: a seeded shuffle (or the stored order), cut into
 * batches of {@code batchSize}; the last batch keeps the remainder, as Keras' {@code fit} does.
 */
public final class Batches {

  private final SequenceDataset data;
  private final int[] order;
  private final int batchSize;

  private Batches(SequenceDataset data, int[] order, int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    }
    this.data = data;
    this.order = order;
    this.batchSize = batchSize;
  }

  /** Batches in the stored order (for evaluation). */
  public static Batches inOrder(SequenceDataset data, int batchSize) {
    return new Batches(data, IntStream.range(0, data.size()).toArray(), batchSize);
  }

  /** Batches in a Fisher-Yates shuffle drawn from {@code seed}. */
  public static Batches shuffled(SequenceDataset data, int batchSize, long seed) {
    int[] order = IntStream.range(0, data.size()).toArray();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return new Batches(data, order, batchSize);
  }

  /** Number of batches, the last one possibly smaller. */
  public int count() {
    return (order.length + batchSize - 1) / batchSize;
  }

  /** Number of examples in batch {@code b}. */
  public int size(int b) {
    return Math.min(batchSize, order.length - b * batchSize);
  }

  /**
   * Copies batch {@code b} into {@code x} ({@code size(b) * T * D} floats, batch-major) and {@code
   * y} ({@code size(b)} labels). The arrays may be longer than needed and are reused by callers.
   */
  public void fill(int b, float[] x, int[] y) {
    int n = size(b);
    int stride = data.timeSteps() * data.features();
    for (int i = 0; i < n; i++) {
      int example = order[b * batchSize + i];
      data.copyExample(example, x, i * stride);
      y[i] = data.label(example);
    }
  }
}
