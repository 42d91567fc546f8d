package engram.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loads the real MNIST files from the shared data folder next to the project. */
class MnistTest {

  static final Path DATA_DIR = Path.of("..", "shared", "data");

  private static final int PIXELS = Mnist.ROWS * Mnist.COLS;

  private static Mnist train;
  private static Mnist test;

  @BeforeAll
  static void load() throws DataException {
    train = Mnist.load(DATA_DIR, Mnist.Split.TRAIN, Mnist.View.ROWS);
    test = Mnist.load(DATA_DIR, Mnist.Split.TEST, Mnist.View.PIXELS);
  }

  @Test
  void splitSizes() {
    assertEquals(Mnist.TRAIN_SIZE, train.size());
    assertEquals(60_000, train.size());
    assertEquals(Mnist.TEST_SIZE, test.size());
    assertEquals(10_000, test.size());
    assertSame(Mnist.Split.TRAIN, train.split());
    assertSame(Mnist.Split.TEST, test.split());
    assertEquals(10, train.numClasses());
  }

  @Test
  void rowsViewIs28StepsOf28() {
    assertSame(Mnist.View.ROWS, train.view());
    assertEquals(28, train.timeSteps());
    assertEquals(28, train.features());
  }

  @Test
  void pixelsViewIs784StepsOf1() {
    assertSame(Mnist.View.PIXELS, test.view());
    assertEquals(784, test.timeSteps());
    assertEquals(1, test.features());
  }

  @Test
  void firstTrainLabelIsFive() {
    assertEquals(5, train.label(0));
  }

  @Test
  void trainLabelHistogram() {
    assertArrayEquals(
        new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, histogram(train));
  }

  @Test
  void testLabelHistogram() {
    assertArrayEquals(
        new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, histogram(test));
  }

  @Test
  void knownPixelOfFirstTrainImage() {
    float[] image = new float[PIXELS];
    train.copyExample(0, image, 0);
    // Row 5, column 16 of the first training digit (a 5) is 126 in the raw file.
    assertEquals(126 / 255f, image[5 * Mnist.COLS + 16]);
    assertEquals(0f, image[0]);
  }

  @Test
  void pixelsMatchAnIndependentDecodeOfTheRawFile() throws IOException {
    byte[] raw = readGunzipped(DATA_DIR.resolve("mnist").resolve("t10k-images-idx3-ubyte.gz"));
    int header = 16; // magic + 3 dims, 4 bytes each
    assertEquals(header + Mnist.TEST_SIZE * PIXELS, raw.length);
    for (int index : new int[] {0, 1, 4_321, Mnist.TEST_SIZE - 1}) {
      float[] expected = new float[PIXELS];
      for (int i = 0; i < PIXELS; i++) {
        expected[i] = (raw[header + index * PIXELS + i] & 0xFF) / 255f;
      }
      float[] actual = new float[PIXELS];
      test.copyExample(index, actual, 0);
      assertArrayEquals(expected, actual, "example " + index);
    }
  }

  @Test
  void pixelsAreScaledIntoUnitInterval() {
    float[] image = new float[PIXELS];
    float max = 0f;
    for (int index = 0; index < 1_000; index++) {
      train.copyExample(index, image, 0);
      for (float v : image) {
        assertTrue(v >= 0f && v <= 1f, () -> "pixel out of [0, 1]: " + v);
        max = Math.max(max, v);
      }
    }
    assertEquals(1f, max); // 255 occurs, and 255 / 255f is exactly 1
  }

  @Test
  void viewsShareTheSamePixelLayout() throws DataException {
    Mnist trainPixels = Mnist.load(DATA_DIR, Mnist.Split.TRAIN, Mnist.View.PIXELS);
    float[] rows = new float[PIXELS];
    float[] pixels = new float[PIXELS];
    train.copyExample(123, rows, 0);
    trainPixels.copyExample(123, pixels, 0);
    assertArrayEquals(rows, pixels);
    assertEquals(train.label(123), trainPixels.label(123));
  }

  @Test
  void copyExampleHonoursOffsetAndLeavesTheRestAlone() {
    float[] dst = new float[3 * PIXELS];
    java.util.Arrays.fill(dst, -1f);
    train.copyExample(7, dst, PIXELS);
    float[] alone = new float[PIXELS];
    train.copyExample(7, alone, 0);
    for (int i = 0; i < PIXELS; i++) {
      assertEquals(-1f, dst[i]);
      assertEquals(alone[i], dst[PIXELS + i]);
      assertEquals(-1f, dst[2 * PIXELS + i]);
    }
  }

  @Test
  void outOfRangeAccessIsRejected() {
    float[] dst = new float[PIXELS];
    assertThrows(IndexOutOfBoundsException.class, () -> train.label(-1));
    assertThrows(IndexOutOfBoundsException.class, () -> test.label(Mnist.TEST_SIZE));
    assertThrows(IndexOutOfBoundsException.class, () -> test.copyExample(Mnist.TEST_SIZE, dst, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> test.copyExample(0, dst, 1));
  }

  private static int[] histogram(Mnist mnist) {
    int[] counts = new int[Mnist.NUM_CLASSES];
    for (int i = 0; i < mnist.size(); i++) {
      counts[mnist.label(i)]++;
    }
    return counts;
  }

  private static byte[] readGunzipped(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return in.readAllBytes();
    }
  }
}
