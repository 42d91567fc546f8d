package engram.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * H-Mem's one-shot image association task (Limbacher &amp; Legenstein 2020, Figure 2B): a story of
 * three frames, each a CIFAR-10 image (left, columns 0-31) beside an MNIST digit (right,
 * zero-padded by 2 px to 32 x 32, broadcast to 3 channels), each followed by D delay frames; then a
 * query frame, another CIFAR image of one of the three classes with an empty right half. The answer
 * is the digit that was shown with that class. Sequences come from {@link AssociationPairs}; frames
 * are built per batch from the source images, in {@code [0, 1]}.
 *
 * <ul>
 *   <li>{@code story FLOAT [L, 32, 64, 3]}, L = 3 (D + 1); pair j at frame j (D + 1), so the story
 *       ends with D delay frames;
 *   <li>{@code query FLOAT [32, 64, 3]};
 *   <li>delay frames are per-pixel uniform [0, 1) grey noise ({@link Padding#RANDOM}, drawn from a
 *       seed per sequence, so every epoch shows a sequence the same frames) or zeros.
 * </ul>
 */
public final class ImageAssociation implements Dataset {

  /** Name of the story input. */
  public static final String STORY = "story";

  /** Name of the query input. */
  public static final String QUERY = "query";

  public static final int HEIGHT = 32;
  public static final int WIDTH = 64;
  public static final int CHANNELS = 3;
  static final int FRAME = HEIGHT * WIDTH * CHANNELS;

  /** Training sequences of the released data; the last 10 % validate. */
  public static final int TRAIN_SEQUENCES = 12_500;

  /** Test sequences of the released data. */
  public static final int TEST_SEQUENCES = 2_230;

  /** What fills the delay frames. */
  public enum Padding {
    RANDOM,
    ZEROS;

    /** Parses {@code random|zeros}. */
    public static Padding parse(String s) {
      for (Padding p : values()) {
        if (p.name().equalsIgnoreCase(s)) {
          return p;
        }
      }
      throw new IllegalArgumentException("data.padding must be random or zeros, got '" + s + "'");
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The images one split's pair ids refer to: rank r of class c is image {@code byClass[c][r]}. */
  record Images(Cifar10 cifar, int[][] cifarByClass, Mnist mnist, int[][] mnistByDigit) {

    static Images of(Cifar10 cifar, Mnist mnist) {
      return new Images(cifar, byClass(cifar), mnist, byClass(mnist));
    }

    /** Pairs per class: the fewest images of any class on either side (released code). */
    int perClass() {
      int n = Integer.MAX_VALUE;
      for (int c = 0; c < AssociationPairs.CLASSES; c++) {
        n = Math.min(n, Math.min(cifarByClass[c].length, mnistByDigit[c].length));
      }
      return n;
    }

    private static int[][] byClass(Dataset d) {
      int[] counts = new int[AssociationPairs.CLASSES];
      for (int i = 0; i < d.size(); i++) {
        counts[d.label(i)]++;
      }
      int[][] out = new int[AssociationPairs.CLASSES][];
      for (int c = 0; c < out.length; c++) {
        out[c] = new int[counts[c]];
        counts[c] = 0;
      }
      for (int i = 0; i < d.size(); i++) {
        int c = d.label(i);
        out[c][counts[c]++] = i;
      }
      return out;
    }
  }

  private final AssociationPairs pairs;
  private final int from; // first sequence of pairs this dataset holds
  private final int size;
  private final Images images;
  private final int delay;
  private final Padding padding;
  private final long noiseSeed;

  ImageAssociation(
      AssociationPairs pairs,
      int from,
      int size,
      Images images,
      int delay,
      Padding padding,
      long noiseSeed) {
    if (delay < 0) {
      throw new IllegalArgumentException("data.delay must be >= 0 frames, got " + delay);
    }
    if (from < 0 || size < 0 || from + size > pairs.size()) {
      throw new IllegalArgumentException("sequences " + from + "+" + size + " out of range");
    }
    this.pairs = pairs;
    this.from = from;
    this.size = size;
    this.images = images;
    this.delay = delay;
    this.padding = padding;
    this.noiseSeed = noiseSeed;
  }

  /**
   * The released splits: 12,500 training sequences, the last {@code validationFraction} of them
   * validating (Keras' {@code validation_split}, 0.1 = 1,250), and 2,230 test sequences; delay
   * noise seeded 42, 43 and 44 as the released script seeds each split.
   *
   * @param source CIFAR-10 images: the canonical batches or the lossy JPEG copy (all 60,000 are
   *     needed; the exact subset is too small)
   */
  public static Splits load(
      Path dataDir, Cifar10.Source source, int delay, Padding padding, double validationFraction)
      throws DataException {
    if (source == Cifar10.Source.SUBSET) {
      throw new IllegalArgumentException(
          "the association task pairs 5,000 CIFAR-10 images per class; the exact subset has"
              + " ~400. Use data.source binary (data-loaders/cifar10.sh) or jpeg (lossy).");
    }
    Cifar10.Loaded cifar = Cifar10.load(dataDir, source);
    Images train =
        Images.of(cifar.train(), Mnist.load(dataDir, Mnist.Split.TRAIN, Mnist.View.ROWS));
    Images test = Images.of(cifar.test(), Mnist.load(dataDir, Mnist.Split.TEST, Mnist.View.ROWS));
    AssociationPairs trainPairs = AssociationPairs.generate(train.perClass());
    AssociationPairs testPairs = AssociationPairs.generate(test.perClass());
    int n = Math.min(TRAIN_SEQUENCES, trainPairs.size());
    int validation = (int) (validationFraction * n);
    return new Splits(
        new ImageAssociation(trainPairs, 0, n - validation, train, delay, padding, 42),
        new ImageAssociation(trainPairs, n - validation, validation, train, delay, padding, 43),
        new ImageAssociation(
            testPairs, 0, Math.min(TEST_SEQUENCES, testPairs.size()), test, delay, padding, 44));
  }

  /** The generator's sequences these examples are drawn from. */
  public AssociationPairs pairs() {
    return pairs;
  }

  /** Index into {@link #pairs()} of example {@code index}. */
  public int sequence(int index) {
    java.util.Objects.checkIndex(index, size);
    return from + index;
  }

  /** D, delay frames after each pair. */
  public int delay() {
    return delay;
  }

  /** L = 3 (D + 1) story frames. */
  public int storyLength() {
    return AssociationPairs.STEPS * (delay + 1);
  }

  /** The CIFAR-10 image index of pair id {@code p}. */
  public int cifarImage(int p) {
    return images.cifarByClass()[pairs.classOfPair(p)][pairs.rankOfPair(p)];
  }

  /** The MNIST image index of pair id {@code p}. */
  public int mnistImage(int p) {
    return images.mnistByDigit()[pairs.classOfPair(p)][pairs.rankOfPair(p)];
  }

  /** The CIFAR-10 images of this split. */
  public Cifar10 cifar() {
    return images.cifar();
  }

  /** The MNIST images of this split. */
  public Mnist mnist() {
    return images.mnist();
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int numClasses() {
    return AssociationPairs.CLASSES;
  }

  @Override
  public int label(int index) {
    return pairs.label(sequence(index));
  }

  @Override
  public List<Feature> inputs() {
    return List.of(
        new Feature(STORY, Feature.Kind.FLOAT, new int[] {storyLength(), HEIGHT, WIDTH, CHANNELS}),
        new Feature(QUERY, Feature.Kind.FLOAT, new int[] {HEIGHT, WIDTH, CHANNELS}));
  }

  @Override
  public void copyFloats(int input, int index, float[] dst, int offset) {
    int s = sequence(index);
    if (input == 1) {
      cifarFrame(pairs.query(s), null, dst, offset);
      return;
    }
    java.util.Objects.checkIndex(input, 2);
    SplittableRandom noise = new SplittableRandom(noiseSeed * 1_000_003L + s);
    float[] digit = new float[Mnist.ROWS * Mnist.COLS];
    for (int t = 0; t < storyLength(); t++) {
      int at = offset + t * FRAME;
      if (t % (delay + 1) == 0) {
        int j = t / (delay + 1);
        images.mnist().copyExample(mnistImage(pairs.mnist(s, j)), digit, 0);
        cifarFrame(pairs.cifar(s, j), digit, dst, at);
      } else if (padding == Padding.RANDOM) {
        for (int p = 0; p < HEIGHT * WIDTH; p++) {
          float v = (float) noise.nextDouble();
          dst[at + p * CHANNELS] = v;
          dst[at + p * CHANNELS + 1] = v;
          dst[at + p * CHANNELS + 2] = v;
        }
      } else {
        java.util.Arrays.fill(dst, at, at + FRAME, 0f);
      }
    }
  }

  /** CIFAR pair {@code p} on the left; {@code digit} (28 x 28, or null for none) on the right. */
  private void cifarFrame(int p, float[] digit, float[] dst, int at) {
    Cifar10 cifar = images.cifar();
    int image = cifarImage(p);
    int pad = (HEIGHT - Mnist.ROWS) / 2;
    for (int row = 0; row < HEIGHT; row++) {
      for (int col = 0; col < WIDTH; col++) {
        int px = at + (row * WIDTH + col) * CHANNELS;
        for (int ch = 0; ch < CHANNELS; ch++) {
          float v;
          if (col < Cifar10.SIDE) {
            v = cifar.value(image, row, col, ch) / 255f;
          } else {
            int r = row - pad;
            int c = col - Cifar10.SIDE - pad;
            boolean inside = digit != null && r >= 0 && r < Mnist.ROWS && c >= 0 && c < Mnist.COLS;
            v = inside ? digit[r * Mnist.COLS + c] : 0f;
          }
          dst[px + ch] = v;
        }
      }
    }
  }
}
