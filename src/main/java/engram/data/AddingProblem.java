package engram.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le et al. 2015): T steps of two
 * features, a number drawn uniformly from [0, 1) and a marker; n steps are marked, one in each of n
 * equal segments of the sequence (n = 2: one in each half); the target is the sum of the marked
 * numbers, scored by mean squared error.
 *
 * <pre>
 *   x_t = (u_t, m_t),  u_t ~ U[0, 1),  m_t = 1 at one step t_j in [floor(jT/n), floor((j+1)T/n)), j = 0..n-1
 *   y   = sum_j u_{t_j}
 * </pre>
 *
 * Predicting the mean n/2 without memory scores an MSE of n/12 (0.167 for n = 2).
 */
public final class AddingProblem implements Dataset {

  private final int size;
  private final int length;
  private final int items;
  private final long seed;
  private final int file;

  AddingProblem(int size, int length, int items, long seed, int file) {
    this.size = size;
    this.length = length;
    this.items = items;
    this.seed = seed;
    this.file = file;
    MemoryTasks.Kind.ADDING.check(length, items);
  }

  /** Sequence {@code index} as {@code [T, 2]} floats, row-major, followed by its target. */
  float[] sequence(int index) {
    MemoryTasks.checkIndex(index, size);
    SplittableRandom r = MemoryTasks.random(seed, file, index);
    float[] x = new float[2 * length + 1];
    for (int t = 0; t < length; t++) {
      x[2 * t] = (float) r.nextDouble();
    }
    double sum = 0;
    for (int j = 0; j < items; j++) {
      int from = (int) ((long) j * length / items);
      int to = (int) ((long) (j + 1) * length / items);
      int t = from + r.nextInt(to - from);
      x[2 * t + 1] = 1f;
      sum += x[2 * t];
    }
    x[2 * length] = (float) sum;
    return x;
  }

  @Override
  public int size() {
    return size;
  }

  /** The model's one output, the predicted sum (no classes). */
  @Override
  public int numClasses() {
    return 1;
  }

  @Override
  public Target target() {
    return Target.values(1);
  }

  @Override
  public int label(int index) {
    throw new UnsupportedOperationException("the adding problem's target is a number");
  }

  @Override
  public void copyTargetValues(int index, float[] dst, int offset) {
    dst[offset] = sequence(index)[2 * length];
  }

  @Override
  public List<Feature> inputs() {
    return List.of(new Feature("x", Feature.Kind.FLOAT, new int[] {length, 2}));
  }

  @Override
  public void copyFloats(int input, int index, float[] dst, int offset) {
    System.arraycopy(sequence(index), 0, dst, offset, 2 * length);
  }
}
