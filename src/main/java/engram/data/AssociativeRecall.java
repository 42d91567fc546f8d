package engram.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Associative retrieval (Ba et al. 2016, "Using fast weights to attend to the recent past"): K
 * key-value pairs, then two {@code ?} and one of the keys; the answer is its value. {@code
 * c9k8j3f1??c} has the answer 9.
 *
 * <pre>
 *   steps 0 .. 2K-1     key_1 value_1 ... key_K value_K   (K distinct keys of 26 letters, values of 10 digits)
 *   steps 2K .. T-4     blank (all zeros): T - 2K - 3 steps of delay
 *   steps T-3, T-2      ?  ?
 *   step  T-1           the query, one of the K keys       target: its value, a class of 10
 * </pre>
 *
 * Each step is one-hot over 37 symbols (26 letters, 10 digits, {@code ?}). A model without memory
 * scores 10 %.
 */
public final class AssociativeRecall implements Dataset {

  static final int KEYS = 26;
  static final int VALUES = 10;
  static final int QUERY_MARK = KEYS + VALUES;
  static final int SYMBOLS = QUERY_MARK + 1;

  private final int size;
  private final int length;
  private final int items;
  private final long seed;
  private final int file;

  AssociativeRecall(int size, int length, int items, long seed, int file) {
    this.size = size;
    this.length = length;
    this.items = items;
    this.seed = seed;
    this.file = file;
    MemoryTasks.Kind.RECALL.check(length, items);
  }

  /** The shortest sequence of {@code items} pairs: no blank steps. */
  static int minLength(int items) {
    return 2 * items + 3;
  }

  /** One sequence, as symbol ids per step (-1 = blank), and its answer. */
  record Sequence(int[] symbols, int answer) {}

  /** Sequence {@code index}: its draws are the distinct keys, the values, then the query. */
  Sequence sequence(int index) {
    MemoryTasks.checkIndex(index, size);
    SplittableRandom r = MemoryTasks.random(seed, file, index);
    int[] keys = new int[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = i;
    }
    for (int i = 0; i < items; i++) { // a partial Fisher-Yates shuffle: K distinct keys
      int j = i + r.nextInt(KEYS - i);
      int t = keys[i];
      keys[i] = keys[j];
      keys[j] = t;
    }
    int[] symbols = new int[length];
    java.util.Arrays.fill(symbols, -1);
    int[] values = new int[items];
    for (int i = 0; i < items; i++) {
      values[i] = r.nextInt(VALUES);
      symbols[2 * i] = keys[i];
      symbols[2 * i + 1] = KEYS + values[i];
    }
    int asked = r.nextInt(items);
    symbols[length - 3] = QUERY_MARK;
    symbols[length - 2] = QUERY_MARK;
    symbols[length - 1] = keys[asked];
    return new Sequence(symbols, values[asked]);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int numClasses() {
    return VALUES;
  }

  @Override
  public int label(int index) {
    return sequence(index).answer();
  }

  @Override
  public List<Feature> inputs() {
    return List.of(new Feature("x", Feature.Kind.FLOAT, new int[] {length, SYMBOLS}));
  }

  @Override
  public void copyFloats(int input, int index, float[] dst, int offset) {
    int[] symbols = sequence(index).symbols();
    java.util.Arrays.fill(dst, offset, offset + length * SYMBOLS, 0f);
    for (int t = 0; t < length; t++) {
      if (symbols[t] >= 0) {
        dst[offset + t * SYMBOLS + symbols[t]] = 1f;
      }
    }
  }
}
