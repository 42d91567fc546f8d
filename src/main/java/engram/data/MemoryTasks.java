package engram.data;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Benchmarks where memory decides, generated on the fly (no download): {@link AssociativeRecall},
 * {@link DelayedCopy} and {@link AddingProblem}. Each takes a sequence length and a number of
 * items; sequence i of a file is a function of the file's seed and i alone, so a file needs no
 * storage and every epoch, process and machine sees the same sequences.
 */
public final class MemoryTasks {

  private MemoryTasks() {}

  /** The tasks, by {@code data.dataset} name. */
  public enum Kind {
    RECALL(4),
    COPY(10),
    ADDING(2);

    private final int defaultItems;

    Kind(int defaultItems) {
      this.defaultItems = defaultItems;
    }

    /** The task named {@code dataset}, or null for any other dataset. */
    public static Kind of(String dataset) {
      for (Kind k : values()) {
        if (k.name().toLowerCase(Locale.ROOT).equals(dataset)) {
          return k;
        }
      }
      return null;
    }

    int defaultItems() {
      return defaultItems;
    }

    /**
     * The literature's shortest setting: recall {@code c9k8j3f1??c} (2K + 3 steps, Ba et al. 2016);
     * copy with a delay of 50 steps (2L + 51); adding over 50 steps (Le et al. 2015).
     */
    int defaultLength(int items) {
      return switch (this) {
        case RECALL -> AssociativeRecall.minLength(items);
        case COPY -> DelayedCopy.minLength(items) + 50;
        case ADDING -> 50;
      };
    }

    /** Refuses lengths and item counts the task cannot lay out, naming the smallest that work. */
    void check(int length, int items) {
      String name = name().toLowerCase(Locale.ROOT);
      int maxItems = this == RECALL ? AssociativeRecall.KEYS : Integer.MAX_VALUE;
      if (items < 1 || items > maxItems) {
        throw new IllegalArgumentException(
            "data.items of "
                + name
                + " must be in 1.."
                + (this == RECALL ? maxItems + " (distinct keys)" : "n")
                + ", got "
                + items);
      }
      int min =
          switch (this) {
            case RECALL -> AssociativeRecall.minLength(items);
            case COPY -> DelayedCopy.minLength(items);
            case ADDING -> items;
          };
      if (length < min) {
        throw new IllegalArgumentException(
            "data.length "
                + length
                + " is too short for "
                + items
                + " items of "
                + name
                + ": it needs >= "
                + min
                + " steps");
      }
    }
  }

  /**
   * The training file ({@code data.examples} sequences, the last {@code validationFraction} of them
   * for validation) and a test file of a tenth as many (at least 1,000), drawn from other seeds.
   */
  public static Splits load(DataConfig c) {
    Kind kind = Kind.of(c.dataset());
    int testSize = Math.max(1000, c.examples() / 10);
    Dataset train = create(kind, c.examples(), c.length(), c.items(), c.splitSeed(), 0);
    Dataset test = create(kind, testSize, c.length(), c.items(), c.splitSeed(), 1);
    return Splits.tail(train, test, c.validationFraction());
  }

  static Dataset create(Kind kind, int size, int length, int items, long seed, int file) {
    return switch (kind) {
      case RECALL -> new AssociativeRecall(size, length, items, seed, file);
      case COPY -> new DelayedCopy(size, length, items, seed, file);
      case ADDING -> new AddingProblem(size, length, items, seed, file);
    };
  }

  /**
   * The random draws of sequence {@code index} of file {@code file} (0 training, 1 test): a
   * generator seeded from the three through SplitMix64's finaliser, so that nearby seeds and
   * indices give unrelated streams.
   */
  static SplittableRandom random(long seed, int file, int index) {
    return new SplittableRandom(mix(mix(seed) ^ mix(((long) file << 32) | (index & 0xffffffffL))));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Checks an index the way the in-memory datasets do. */
  static void checkIndex(int index, int size) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("sequence " + index + " of " + size);
    }
  }
}
