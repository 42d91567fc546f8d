package engram.data;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The copy task with a delay (Hochreiter & Schmidhuber 1997; Arjovsky et al. 2016): L symbols, a
 * delay, a delimiter, then the model must emit the L symbols in order.
 *
 * <pre>
 *   steps 0 .. L-1          s_1 .. s_L           (each one of 8 symbols)
 *   steps L .. T-L-2        blank                 the delay: T - 2L - 1 steps
 *   step  T-L-1             delimiter
 *   steps T-L .. T-1        blank                 targets s_1 .. s_L, one class of 8 per step
 * </pre>
 *
 * Inputs are one-hot over 10 symbols (8, blank, delimiter). Only the last L steps are scored (the
 * others' targets are {@link Target#IGNORE}), so accuracy is the share of symbols recalled; a model
 * without memory scores 12.5 %.
 */
public final class DelayedCopy implements Dataset {

  static final int ALPHABET = 8;
  static final int BLANK = ALPHABET;
  static final int DELIMITER = ALPHABET + 1;
  static final int SYMBOLS = ALPHABET + 2;

  private final int size;
  private final int length;
  private final int items;
  private final long seed;
  private final int file;

  DelayedCopy(int size, int length, int items, long seed, int file) {
    this.size = size;
    this.length = length;
    this.items = items;
    this.seed = seed;
    this.file = file;
    MemoryTasks.Kind.COPY.check(length, items);
  }

  /** The shortest sequence of {@code items} symbols: no delay. */
  static int minLength(int items) {
    return 2 * items + 1;
  }

  /** The L symbols of sequence {@code index}. */
  int[] symbols(int index) {
    MemoryTasks.checkIndex(index, size);
    SplittableRandom r = MemoryTasks.random(seed, file, index);
    int[] s = new int[items];
    for (int i = 0; i < items; i++) {
      s[i] = r.nextInt(ALPHABET);
    }
    return s;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int numClasses() {
    return ALPHABET;
  }

  @Override
  public Target target() {
    return Target.classPerStep(length, ALPHABET);
  }

  @Override
  public int label(int index) {
    throw new UnsupportedOperationException("the copy task has a target per recalled step");
  }

  @Override
  public void copyTargets(int index, int[] dst, int offset) {
    int[] s = symbols(index);
    Arrays.fill(dst, offset, offset + length - items, Target.IGNORE);
    System.arraycopy(s, 0, dst, offset + length - items, items);
  }

  @Override
  public List<Feature> inputs() {
    return List.of(new Feature("x", Feature.Kind.FLOAT, new int[] {length, SYMBOLS}));
  }

  @Override
  public void copyFloats(int input, int index, float[] dst, int offset) {
    int[] s = symbols(index);
    Arrays.fill(dst, offset, offset + length * SYMBOLS, 0f);
    for (int t = 0; t < length; t++) {
      int symbol = t < items ? s[t] : t == length - items - 1 ? DELIMITER : BLANK;
      dst[offset + t * SYMBOLS + symbol] = 1f;
    }
  }
}
