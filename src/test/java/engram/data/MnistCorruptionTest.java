package engram.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged copies of MNIST must fail with a one-line {@link DataException} that names the file and
 * says how to fix it. Checks that sit behind the SHA-256 check (magic, sizes, labels) are reached
 * through {@link Mnist#parse} with small hand-made files.
 */
class MnistCorruptionTest {

  private static final Path REAL = MnistTest.DATA_DIR.resolve(Mnist.DIR_NAME);
  private static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
  private static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
  private static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
  private static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
  private static final String FETCH_FIX = "data-loaders/mnist.sh <data-dir>";

  @TempDir Path dataDir;
  private Path mnistDir;

  @BeforeEach
  void copyRealFiles() throws IOException {
    mnistDir = Files.createDirectory(dataDir.resolve(Mnist.DIR_NAME));
    for (String name : new String[] {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS}) {
      // Written afresh rather than Files.copy'd: the shared originals are read-only, and a copy
      // would inherit that mode, which the tests below need to overwrite.
      Files.write(mnistDir.resolve(name), Files.readAllBytes(REAL.resolve(name)));
    }
  }

  @Test
  void intactCopyLoads() throws DataException {
    assertEquals(Mnist.TEST_SIZE, Mnist.load(dataDir, Mnist.Split.TEST, Mnist.View.ROWS).size());
  }

  @Test
  void truncatedImagesFile() throws IOException {
    Path file = mnistDir.resolve(TRAIN_IMAGES);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));

    DataException e = assertLoadFails(Mnist.Split.TRAIN);

    assertMessage(e, file, "SHA-256 mismatch", "(9912422 bytes)", "(4956211 bytes)", FETCH_FIX);
  }

  @Test
  void flippedByteFailsTheHashCheck() throws IOException {
    Path file = mnistDir.resolve(TEST_IMAGES);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(file, bytes);

    DataException e = assertLoadFails(Mnist.Split.TEST);

    assertMessage(
        e,
        file,
        "expected 8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "got " + Checksums.sha256(file),
        FETCH_FIX);
    assertFalse(e.getMessage().contains("swapped"), e.getMessage());
  }

  @Test
  void swappedImagesAndLabelsAreRecognisedByHash() throws IOException {
    Path images = mnistDir.resolve(TRAIN_IMAGES);
    Path labels = mnistDir.resolve(TRAIN_LABELS);
    Path aside = mnistDir.resolve("aside");
    Files.move(images, aside);
    Files.move(labels, images);
    Files.move(aside, labels);

    DataException e = assertLoadFails(Mnist.Split.TRAIN);

    assertMessage(e, images, "SHA-256 mismatch", "hash of " + TRAIN_LABELS, "swapped", FETCH_FIX);
  }

  @Test
  void swappedImagesAndLabelsAreRecognisedByMagic() throws IOException {
    Path images =
        IdxTest.writeIdxGz(dataDir.resolve("images.gz"), 2051, dims(3), new byte[3 * 784]);
    Path labels =
        IdxTest.writeIdxGz(dataDir.resolve("labels.gz"), 2049, new int[] {3}, new byte[3]);

    DataException e = assertParseFails(labels, images, 3);

    assertMessage(e, labels, "expected 2051 (images) got 2049 (labels)", "swapped", FETCH_FIX);
  }

  @Test
  void truncatedImagePayloadIsReported() throws IOException {
    Path images =
        IdxTest.writeIdxGz(dataDir.resolve("images.gz"), 2051, dims(3), new byte[3 * 784 - 5]);
    Path labels =
        IdxTest.writeIdxGz(dataDir.resolve("labels.gz"), 2049, new int[] {3}, new byte[3]);

    DataException e = assertParseFails(images, labels, 3);

    assertMessage(e, images, "expected 2352 payload bytes", "got 2347", "truncated", FETCH_FIX);
  }

  @Test
  void labelCountMustMatchImageCount() throws IOException {
    Path images =
        IdxTest.writeIdxGz(dataDir.resolve("images.gz"), 2051, dims(3), new byte[3 * 784]);
    Path labels =
        IdxTest.writeIdxGz(dataDir.resolve("labels.gz"), 2049, new int[] {2}, new byte[2]);

    DataException e = assertParseFails(images, labels, 3);

    assertMessage(e, labels, "expected dimensions [3] got [2]", FETCH_FIX);
  }

  @Test
  void labelOutsideZeroToNineIsReported() throws IOException {
    Path images =
        IdxTest.writeIdxGz(dataDir.resolve("images.gz"), 2051, dims(3), new byte[3 * 784]);
    Path labels =
        IdxTest.writeIdxGz(
            dataDir.resolve("labels.gz"), 2049, new int[] {3}, new byte[] {1, 10, 2});

    DataException e = assertParseFails(images, labels, 3);

    assertMessage(e, labels, "expected labels in 0..9 got 10 at index 1", FETCH_FIX);
  }

  @Test
  void smallHandMadePairParses() throws IOException {
    byte[] pixels = new byte[2 * 784];
    pixels[784 + 3] = (byte) 255;
    Path images = IdxTest.writeIdxGz(dataDir.resolve("images.gz"), 2051, dims(2), pixels);
    Path labels =
        IdxTest.writeIdxGz(dataDir.resolve("labels.gz"), 2049, new int[] {2}, new byte[] {9, 0});

    Mnist mnist = Mnist.parse(images, labels, 2, Mnist.Split.TEST, Mnist.View.PIXELS);

    assertEquals(2, mnist.size());
    assertEquals(9, mnist.label(0));
    float[] example = new float[784];
    mnist.copyExample(1, example, 0);
    assertEquals(1f, example[3]);
  }

  @Test
  void missingFile() throws IOException {
    Path file = mnistDir.resolve(TEST_LABELS);
    Files.delete(file);

    DataException e = assertLoadFails(Mnist.Split.TEST);

    assertMessage(e, file, "file not found", Mnist.FETCH_HINT);
  }

  @Test
  void missingDirectory() {
    Path empty = dataDir.resolve("elsewhere");

    DataException e =
        assertThrows(
            DataException.class, () -> Mnist.load(empty, Mnist.Split.TEST, Mnist.View.ROWS));

    assertMessage(e, empty.resolve(Mnist.DIR_NAME), "directory not found", Mnist.FETCH_HINT);
  }

  @Test
  void mnistIsAFileNotADirectory() throws IOException {
    Path other = Files.createDirectory(dataDir.resolve("other"));
    Path file = Files.createFile(other.resolve(Mnist.DIR_NAME));

    DataException e =
        assertThrows(
            DataException.class, () -> Mnist.load(other, Mnist.Split.TEST, Mnist.View.ROWS));

    assertMessage(e, file, "is not a directory", Mnist.FETCH_HINT);
  }

  private DataException assertLoadFails(Mnist.Split split) {
    return assertThrows(DataException.class, () -> Mnist.load(dataDir, split, Mnist.View.ROWS));
  }

  private static DataException assertParseFails(Path images, Path labels, int count) {
    return assertThrows(
        DataException.class,
        () -> Mnist.parse(images, labels, count, Mnist.Split.TEST, Mnist.View.ROWS));
  }

  private static void assertMessage(DataException e, Path file, String... fragments) {
    String message = e.getMessage();
    assertEquals(file, e.path());
    assertTrue(message.startsWith(file + ": "), message);
    assertFalse(message.contains("\n") || message.contains("\r"), message);
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), () -> "missing '" + fragment + "' in: " + message);
    }
  }

  private static int[] dims(int count) {
    return new int[] {count, Mnist.ROWS, Mnist.COLS};
  }
}
