package engram.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The association task on the real MNIST and CIFAR-10 files (the lossy JPEG copy: its classes and
 * per-class order are exact, only pixels differ), checked through the files' own labels: what
 * hmem.md §4.3 says every released sequence satisfies, the bias that makes ~1/3 the chance level of
 * a model that cannot bind, and the frames' layout.
 */
class ImageAssociationTest {

  static final Path DATA = Path.of("..", "shared", "data").toAbsolutePath();
  static final int DELAY = 2;
  static ImageAssociation train;
  static ImageAssociation validation;
  static ImageAssociation test;

  @BeforeAll
  static void load() throws Exception {
    Splits s =
        ImageAssociation.load(
            DATA, Cifar10.Source.JPEG, DELAY, ImageAssociation.Padding.RANDOM, 0.1);
    train = (ImageAssociation) s.train();
    validation = (ImageAssociation) s.validation();
    test = (ImageAssociation) s.test();
  }

  @Test
  void releasedSizes() {
    assertEquals(11_250, train.size());
    assertEquals(1_250, validation.size());
    assertEquals(2_230, test.size());
    assertEquals(5_000, train.pairs().perClass());
    assertEquals(892, test.pairs().perClass(), "MNIST test has 892 fives");
    assertEquals(train.pairs().label(11_250), validation.label(0), "validation = the last 10 %");
  }

  @Test
  void everySequenceBindsThreeClassesToThreeDigitsAndAsksForOne() {
    for (ImageAssociation d : new ImageAssociation[] {train, validation, test}) {
      AssociationPairs p = d.pairs();
      for (int i = 0; i < d.size(); i++) {
        int s = d.sequence(i);
        Set<Integer> classes = new HashSet<>();
        Set<Integer> digits = new HashSet<>();
        Set<Integer> stored = new HashSet<>();
        int queryImage = d.cifarImage(p.query(s));
        int queryClass = d.cifar().label(queryImage);
        int answer = -1;
        for (int j = 0; j < AssociationPairs.STEPS; j++) {
          int image = d.cifarImage(p.cifar(s, j));
          int cls = d.cifar().label(image);
          int digit = d.mnist().label(d.mnistImage(p.mnist(s, j)));
          classes.add(cls);
          digits.add(digit);
          stored.add(image);
          if (cls == queryClass) {
            answer = digit;
          }
        }
        String at = "sequence " + s + " of " + d.size();
        assertEquals(3, classes.size(), at);
        assertEquals(3, digits.size(), at);
        assertTrue(classes.contains(queryClass), at);
        assertTrue(!stored.contains(queryImage), at + ": the query is never the stored image");
        assertEquals(answer, d.label(i), at + ": the digit stored with the query's class");
      }
    }
  }

  @Test
  void aThirdOfThePairsShowTheirOwnClassNumber() {
    for (AssociationPairs p : new AssociationPairs[] {train.pairs(), test.pairs()}) {
      double same = p.digitEqualsClass();
      assertTrue(same >= 0.30 && same <= 0.36, "digit == class in " + same);
      double guess = p.queryClassBaseline(train.pairs());
      assertTrue(guess >= 0.33 && guess <= 0.40, "best guess from the query class " + guess);
    }
  }

  @Test
  void framesAreCifarLeftDigitRightThenDelayNoise() {
    int l = 3 * (DELAY + 1);
    assertArrayEquals(new int[] {l, 32, 64, 3}, train.inputs().get(0).shape());
    float[] story = new float[l * ImageAssociation.FRAME];
    float[] again = new float[story.length];
    train.copyFloats(0, 7, story, 0);
    train.copyFloats(0, 7, again, 0);
    assertArrayEquals(story, again, "the same noise every epoch");
    int s = train.sequence(7);
    int image = train.cifarImage(train.pairs().cifar(s, 1));
    int digit = train.mnistImage(train.pairs().mnist(s, 1));
    float[] mnist = new float[784];
    train.mnist().copyExample(digit, mnist, 0);
    int frame = (DELAY + 1) * ImageAssociation.FRAME; // pair 1 is frame D + 1
    for (int row = 0; row < 32; row++) {
      for (int col = 0; col < 64; col++) {
        for (int ch = 0; ch < 3; ch++) {
          float v = story[frame + (row * 64 + col) * 3 + ch];
          float want;
          if (col < 32) {
            want = train.cifar().value(image, row, col, ch) / 255f;
          } else {
            int r = row - 2;
            int c = col - 34;
            want = r >= 0 && r < 28 && c >= 0 && c < 28 ? mnist[r * 28 + c] : 0f;
          }
          assertEquals(want, v, 0f, "row " + row + " col " + col + " channel " + ch);
        }
      }
    }
    int noise = ImageAssociation.FRAME; // frame 1 is a delay frame
    Set<Float> values = new HashSet<>();
    for (int p = 0; p < 32 * 64; p++) {
      float v = story[noise + p * 3];
      assertTrue(v >= 0f && v < 1f);
      assertEquals(v, story[noise + p * 3 + 1], 0f, "grey");
      assertEquals(v, story[noise + p * 3 + 2], 0f, "grey");
      values.add(v);
    }
    assertTrue(values.size() > 2000, "per-pixel noise");
    float[] other = new float[story.length];
    train.copyFloats(0, 8, other, 0);
    assertNotEquals(story[noise], other[noise], "each sequence has its own noise");
  }

  @Test
  void queryFrameHasAnEmptyRightHalfAndZeroPaddingIsBlack() {
    float[] q = new float[ImageAssociation.FRAME];
    test.copyFloats(1, 3, q, 0);
    int image = test.cifarImage(test.pairs().query(test.sequence(3)));
    for (int row = 0; row < 32; row++) {
      for (int col = 0; col < 64; col++) {
        float want = col < 32 ? test.cifar().value(image, row, col, 0) / 255f : 0f;
        assertEquals(want, q[(row * 64 + col) * 3], 0f);
      }
    }
    ImageAssociation zeros =
        new ImageAssociation(
            test.pairs(),
            0,
            10,
            ImageAssociation.Images.of(test.cifar(), test.mnist()),
            1,
            ImageAssociation.Padding.ZEROS,
            44);
    float[] story = new float[6 * ImageAssociation.FRAME];
    java.util.Arrays.fill(story, 9f);
    zeros.copyFloats(0, 0, story, 0);
    for (int i = ImageAssociation.FRAME; i < 2 * ImageAssociation.FRAME; i++) {
      assertEquals(0f, story[i], 0f);
    }
  }

  @Test
  void rejectsTheSubsetAndNegativeDelays() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ImageAssociation.load(
                DATA, Cifar10.Source.SUBSET, 0, ImageAssociation.Padding.RANDOM, 0.1));
    assertThrows(IllegalArgumentException.class, () -> DataConfig.associationDefaults(-1));
  }
}
