package engram.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The MNIST handwritten digits as a sequence-classification dataset: 28x28 grey-scale images,
 * labels 0..9, 60,000 training and 10,000 test examples.
 *
 * <p>Loads the four canonical gzip files from {@code <dataDir>/mnist/}, checks each against its
 * known SHA-256 before parsing, and keeps the pixels as raw unsigned bytes (47 MB for the training
 * split); {@link #copyExample} scales them to {@code [0, 1]} floats on the way out. Instances are
 * immutable and safe to read from several threads.
 */
public final class Mnist implements SequenceDataset {

  /** Image height in pixels. */
  public static final int ROWS = 28;

  /** Image width in pixels. */
  public static final int COLS = 28;

  /** Digits 0..9. */
  public static final int NUM_CLASSES = 10;

  /** Examples in the training split. */
  public static final int TRAIN_SIZE = 60_000;

  /** Examples in the test split. */
  public static final int TEST_SIZE = 10_000;

  /** Sub-directory of the data directory that holds the four {@code .gz} files. */
  public static final String DIR_NAME = "mnist";

  static final String FETCH_HINT =
      "Fetch MNIST with data-loaders/mnist.sh <data-dir>, or point --data-dir / ENGRAM_DATA at a"
          + " folder that holds mnist/.";

  private static final String REFETCH_HINT =
      "Re-fetch with data-loaders/mnist.sh <data-dir>, which replaces files whose hash is wrong.";

  private static final int PIXELS_PER_IMAGE = ROWS * COLS;

  /** Which half of MNIST to load. */
  public enum Split {
    /** 60,000 examples. */
    TRAIN(
        new FileSpec(
            "train-images-idx3-ubyte.gz",
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            9_912_422),
        new FileSpec(
            "train-labels-idx1-ubyte.gz",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            28_881),
        TRAIN_SIZE),
    /** 10,000 examples. */
    TEST(
        new FileSpec(
            "t10k-images-idx3-ubyte.gz",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            1_648_877),
        new FileSpec(
            "t10k-labels-idx1-ubyte.gz",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            4_542),
        TEST_SIZE);

    private final FileSpec images;
    private final FileSpec labels;
    private final int size;

    Split(FileSpec images, FileSpec labels, int size) {
      this.images = images;
      this.labels = labels;
      this.size = size;
    }

    /** Number of examples in this split. */
    public int size() {
      return size;
    }
  }

  /**
   * How an image becomes a sequence. Both views present the same 784 row-major pixels; they differ
   * only in how those are cut into steps.
   */
  public enum View {
    /** 28 steps of 28 pixels: each image row is one time step. */
    ROWS(Mnist.ROWS, COLS),
    /** 784 steps of 1 pixel ("pixel-by-pixel" / sequential MNIST). */
    PIXELS(Mnist.ROWS * COLS, 1);

    private final int timeSteps;
    private final int features;

    View(int timeSteps, int features) {
      this.timeSteps = timeSteps;
      this.features = features;
    }

    /** Sequence length T under this view. */
    public int timeSteps() {
      return timeSteps;
    }

    /** Features per step D under this view. */
    public int features() {
      return features;
    }
  }

  /** A canonical MNIST file: its name, SHA-256 (lowercase hex) and size in bytes. */
  private record FileSpec(String name, String sha256, long bytes) {}

  private final Split split;
  private final View view;
  private final byte[] pixels; // size * 784 unsigned bytes, example-major, row-major within
  private final byte[] labels; // size unsigned bytes in 0..9

  private Mnist(Split split, View view, byte[] pixels, byte[] labels) {
    this.split = split;
    this.view = view;
    this.pixels = pixels;
    this.labels = labels;
  }

  /**
   * Loads one split of MNIST.
   *
   * @param dataDir the data directory; the files are read from {@code dataDir/mnist/}
   * @param split which split to load
   * @param view how each image becomes a sequence
   * @throws DataException if the directory or a file is missing, a file does not match its known
   *     SHA-256, or its contents are malformed; the message names the file and the fix
   */
  public static Mnist load(Path dataDir, Split split, View view) throws DataException {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(view, "view");
    Path dir = checkDirectory(dataDir.resolve(DIR_NAME));
    Path images = verify(dir, split.images);
    Path labels = verify(dir, split.labels);
    return parse(images, labels, split.size, split, view);
  }

  /**
   * Parses an images/labels pair without checking hashes. Package-private so that tests can reach
   * the structural checks with small hand-made files, which a hash check would otherwise reject
   * first.
   */
  static Mnist parse(Path imagesFile, Path labelsFile, int count, Split split, View view)
      throws DataException {
    Idx.Data images =
        Idx.readGzip(imagesFile, Idx.MAGIC_UBYTE_RANK3, new int[] {count, ROWS, COLS}, FETCH_HINT);
    // Expecting exactly `count` labels is also what makes the image and label counts agree.
    Idx.Data labels =
        Idx.readGzip(labelsFile, Idx.MAGIC_UBYTE_RANK1, new int[] {count}, FETCH_HINT);
    checkLabels(labelsFile, labels.payload());
    return new Mnist(split, view, images.payload(), labels.payload());
  }

  private static Path checkDirectory(Path dir) throws DataException {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    String found = Files.exists(dir) ? "is not a directory" : "directory not found";
    throw new DataException(
        dir, found + " (expected the four MNIST .gz files in it). " + FETCH_HINT);
  }

  private static Path verify(Path dir, FileSpec spec) throws DataException {
    Path file = dir.resolve(spec.name());
    if (!Files.isRegularFile(file)) {
      throw new DataException(file, "file not found. " + FETCH_HINT);
    }
    long bytes;
    String sha256;
    try {
      bytes = Files.size(file);
      sha256 = Checksums.sha256(file);
    } catch (IOException e) {
      throw new DataException(
          file, "cannot read the file (" + e + "). Check its permissions. " + FETCH_HINT, e);
    }
    if (!sha256.equals(spec.sha256())) {
      throw new DataException(
          file,
          "SHA-256 mismatch: expected "
              + spec.sha256()
              + " ("
              + spec.bytes()
              + " bytes) got "
              + sha256
              + " ("
              + bytes
              + " bytes)"
              + diagnose(sha256)
              + ". "
              + REFETCH_HINT);
    }
    return file;
  }

  /**
   * Says why a hash is wrong. A hash that belongs to another canonical file means the download was
   * fine but the files were swapped or renamed, which re-fetching alone would not explain.
   */
  private static String diagnose(String sha256) {
    for (Split s : Split.values()) {
      for (FileSpec spec : new FileSpec[] {s.images, s.labels}) {
        if (spec.sha256().equals(sha256)) {
          return ", which is the hash of "
              + spec.name()
              + ", so the files look swapped or renamed; give each file its canonical name";
        }
      }
    }
    return ", so the file is corrupt, truncated or not the canonical MNIST release";
  }

  private static void checkLabels(Path file, byte[] labels) throws DataException {
    for (int i = 0; i < labels.length; i++) {
      int label = labels[i] & 0xFF;
      if (label >= NUM_CLASSES) {
        throw new DataException(
            file,
            "expected labels in 0.."
                + (NUM_CLASSES - 1)
                + " got "
                + label
                + " at index "
                + i
                + ". "
                + FETCH_HINT);
      }
    }
  }

  /** The split this dataset was loaded from. */
  public Split split() {
    return split;
  }

  /** How images are presented as sequences. */
  public View view() {
    return view;
  }

  @Override
  public int size() {
    return labels.length;
  }

  /** 28 for {@link View#ROWS}, 784 for {@link View#PIXELS}. */
  @Override
  public int timeSteps() {
    return view.timeSteps();
  }

  /** 28 for {@link View#ROWS}, 1 for {@link View#PIXELS}. */
  @Override
  public int features() {
    return view.features();
  }

  @Override
  public int numClasses() {
    return NUM_CLASSES;
  }

  /**
   * Writes the 784 pixels of example {@code index} to {@code dst[offset .. offset + 784)} as {@code
   * pixel / 255f}, so values are in {@code [0, 1]}. Row-major pixel order is already step-major
   * under both views (a row of 28 per step, or one pixel per step), so the view does not change
   * what is written.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())} or the
   *     destination range does not fit in {@code dst}
   */
  @Override
  public void copyExample(int index, float[] dst, int offset) {
    Objects.checkIndex(index, size());
    Objects.checkFromIndexSize(offset, PIXELS_PER_IMAGE, dst.length);
    int base = index * PIXELS_PER_IMAGE; // < 60,000 * 784, no overflow
    for (int i = 0; i < PIXELS_PER_IMAGE; i++) {
      dst[offset + i] = (pixels[base + i] & 0xFF) / 255f;
    }
  }

  @Override
  public int label(int index) {
    Objects.checkIndex(index, size());
    return labels[index] & 0xFF;
  }

  @Override
  public String toString() {
    return "Mnist["
        + split
        + ", "
        + view
        + ", "
        + size()
        + " examples of "
        + timeSteps()
        + "x"
        + features()
        + "]";
  }
}
