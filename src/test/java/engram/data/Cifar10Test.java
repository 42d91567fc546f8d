package engram.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CIFAR-10 against what the shared data's README publishes: the exact records' first label and red
 * row, the rows-as-steps layout with interleaved channels, the lossy copy's order and error against
 * the exact records, and the checks that reject a wrong canonical batch.
 */
class Cifar10Test {

  static final Path DATA = Path.of("..", "shared", "data").toAbsolutePath();
  static Cifar10.Loaded subset;

  @BeforeAll
  static void load() throws Exception {
    subset = Cifar10.load(DATA, Cifar10.Source.SUBSET);
  }

  @Test
  void exactRecordsAsPublished() {
    assertEquals(4000, subset.train().size());
    assertEquals(1000, subset.test().size());
    assertEquals(6, subset.train().label(0), "frog");
    assertEquals(3, subset.test().label(0), "cat");
    int[] red = new int[8];
    for (int c = 0; c < 8; c++) {
      red[c] = subset.train().value(0, 0, c, 0);
    }
    assertArrayEquals(new int[] {59, 43, 50, 68, 98, 119, 139, 145}, red);
  }

  @Test
  void rowsAreStepsWithInterleavedChannels() {
    Cifar10 train = subset.train();
    assertEquals(32, train.timeSteps());
    assertEquals(96, train.features());
    float[] x = new float[32 * 96];
    train.copyExample(7, x, 0);
    for (int row : new int[] {0, 13, 31}) {
      for (int col : new int[] {0, 5, 31}) {
        for (int ch = 0; ch < 3; ch++) {
          assertEquals(train.value(7, row, col, ch) / 255f, x[row * 96 + col * 3 + ch]);
        }
      }
    }
  }

  @Test
  void lossyCopyFollowsTheOriginalOrder() throws Exception {
    Cifar10.Loaded jpeg = Cifar10.load(DATA, Cifar10.Source.JPEG);
    assertEquals(50_000, jpeg.train().size());
    assertEquals(10_000, jpeg.test().size());
    assertArrayEquals(
        new int[] {5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000},
        jpeg.train().classCounts());
    double error = 0;
    for (int i = 0; i < 4000; i++) {
      assertEquals(subset.train().label(i), jpeg.train().label(i), "label of image " + i);
      for (int r = 0; r < 32; r++) {
        for (int c = 0; c < 32; c++) {
          for (int ch = 0; ch < 3; ch++) {
            error += Math.abs(subset.train().value(i, r, c, ch) - jpeg.train().value(i, r, c, ch));
          }
        }
      }
    }
    error /= 4000.0 * 3072;
    // The README measured 5.8 per channel value with another JPEG decoder; one image off gives 68.
    assertTrue(error > 2 && error < 10, "mean absolute error " + error);
  }

  @Test
  void wrongCanonicalBatchesAreRejectedWithTheFix(@TempDir Path tmp) throws Exception {
    DataException missing =
        assertThrows(DataException.class, () -> Cifar10.load(tmp, Cifar10.Source.BINARY));
    assertTrue(missing.getMessage().contains("data-loaders/cifar10.sh"), missing.getMessage());
    assertTrue(missing.getMessage().contains("data.source"), missing.getMessage());
    Path dir = Files.createDirectories(tmp.resolve("cifar-10/cifar-10-batches-bin"));
    Files.write(dir.resolve("data_batch_1.bin"), new byte[3073 * 10]);
    DataException shortFile =
        assertThrows(DataException.class, () -> Cifar10.load(tmp, Cifar10.Source.BINARY));
    assertTrue(shortFile.getMessage().contains("not 30730000"), shortFile.getMessage());
    Files.write(dir.resolve("data_batch_1.bin"), new byte[3073 * 10_000]);
    DataException wrong =
        assertThrows(DataException.class, () -> Cifar10.load(tmp, Cifar10.Source.BINARY));
    assertTrue(wrong.getMessage().contains("SHA-256"), wrong.getMessage());
  }
}
