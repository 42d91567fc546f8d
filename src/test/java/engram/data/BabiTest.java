package engram.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bAbI loader on the real v1.2 files, against facts read off the files by hand. */
class BabiTest {

  static final Path DATA = Path.of("..", "shared", "data");

  @Test
  void everyTrainingFileHasItsQuestionCount() throws Exception {
    for (int task = 1; task <= 20; task++) {
      Babi k1 = Babi.load(DATA, task, Babi.Size.K1);
      assertEquals(1_000, k1.trainSamples().size(), "en task " + task);
      assertEquals(1_000, k1.testSamples().size(), "en task " + task);
    }
    for (int task : new int[] {1, 2, 20}) {
      assertEquals(
          10_000,
          Babi.load(DATA, task, Babi.Size.K10).trainSamples().size(),
          "en-10k task " + task);
    }
  }

  @Test
  void taskOneVectorisesAsTheReleasedCode() throws Exception {
    Babi b = Babi.load(DATA, 1, Babi.Size.K1);
    // Sorted vocabulary: back bathroom bedroom daniel garden hallway is john journeyed kitchen
    // mary moved office sandra the to travelled went where -> ids 1..19.
    assertEquals(19, b.words());
    assertEquals(10, b.storyLength());
    assertEquals(7, b.sentenceWidth(), "6 words + time slot");
    assertEquals(30, b.vocabularySize(), "19 words + 10 time words + nil");
    Dataset train = b.train();
    int[] story = new int[10 * 7];
    int[] query = new int[7];
    train.copyInts(0, 0, story, 0);
    train.copyInts(1, 0, query, 0);
    // "1 Mary moved to the bathroom." and "2 John went to the hallway." before "Where is Mary?"
    // Story length 2: time words 19 + 2 - 0 = 21 (older) and 20 (most recent).
    assertArrayEquals(new int[] {11, 12, 16, 15, 2, 0, 21}, Arrays.copyOfRange(story, 0, 7));
    assertArrayEquals(new int[] {8, 18, 16, 15, 6, 0, 20}, Arrays.copyOfRange(story, 7, 14));
    assertArrayEquals(new int[7], Arrays.copyOfRange(story, 14, 21), "padding statements are zero");
    assertArrayEquals(new int[] {19, 7, 11, 0, 0, 0, 0}, query);
    assertEquals(2, train.label(0), "bathroom");
    // The second question's story has four statements (the first question is removed).
    train.copyInts(0, 1, story, 0);
    assertArrayEquals(new int[] {4, 18, 1, 16, 15, 6, 21}, Arrays.copyOfRange(story, 14, 21));
    assertEquals(6, train.label(1), "hallway");
    assertEquals("time3", b.word(22));
  }

  @Test
  void multiWordAnswersAreOneClass() throws Exception {
    Babi lists = Babi.load(DATA, 8, Babi.Size.K1);
    assertTrue(lists.trainSamples().stream().anyMatch(s -> s.answer().equals("milk,football")));
    assertTrue(lists.id("milk,football") > 0);
    Babi paths = Babi.load(DATA, 19, Babi.Size.K1);
    assertEquals("n,w", paths.trainSamples().get(1).answer());
  }

  @Test
  void validationIsTheLastTenPercentInFileOrder() throws Exception {
    Babi b = Babi.load(DATA, 2, Babi.Size.K1);
    Splits s = Splits.load(DataConfig.babiDefaults(2, "1k"), DATA);
    assertEquals(900, s.train().size());
    assertEquals(100, s.validation().size());
    assertEquals(1000, s.test().size());
    assertEquals(b.train().label(900), s.validation().label(0));
    assertEquals(b.train().label(899), s.train().label(899));
    assertEquals(88, b.storyLength());
    assertEquals(
        List.of(
            new Feature(Babi.STORY, Feature.Kind.INT, new int[] {88, 7}),
            new Feature(Babi.QUERY, Feature.Kind.INT, new int[] {7})),
        s.train().inputs());
  }

  @Test
  void theMissingTenThousandTaskThreeFileIsNamed() {
    assertFalse(Babi.hasTrainingFile(DATA, 3, Babi.Size.K10));
    assertTrue(Babi.hasTrainingFile(DATA, 3, Babi.Size.K1));
    DataException e = assertThrows(DataException.class, () -> Babi.load(DATA, 3, Babi.Size.K10));
    assertTrue(
        e.getMessage().contains("qa3_*_train.txt") && e.getMessage().contains("babi.sh"),
        e.getMessage());
  }

  @Test
  void corruptOrMalformedFilesNameFileAndLine(@TempDir Path tmp) throws Exception {
    Path en = Files.createDirectories(tmp.resolve(Babi.DIR_NAME).resolve("en"));
    Path real = DATA.resolve(Babi.DIR_NAME).resolve("en");
    for (String f :
        List.of("qa1_single-supporting-fact_train.txt", "qa1_single-supporting-fact_test.txt")) {
      Files.copy(real.resolve(f), en.resolve(f));
    }
    Path train = en.resolve("qa1_single-supporting-fact_train.txt");
    Files.writeString(train, Files.readString(train).replaceFirst("Mary", "Marx"));
    DataException e = assertThrows(DataException.class, () -> Babi.load(tmp, 1, Babi.Size.K1));
    assertTrue(
        e.getMessage().contains("SHA-256 mismatch") && e.getMessage().contains("qa1_"),
        e.getMessage());

    Path bad =
        Files.writeString(
            tmp.resolve("bad.txt"),
            "1 Mary moved to the bathroom.\nx Where is Mary?\tbathroom\t1\n");
    e = assertThrows(DataException.class, () -> Babi.parseUnverified(bad));
    assertTrue(
        e.getMessage().contains("bad.txt") && e.getMessage().contains("line 2"), e.getMessage());
    Path badQuestion =
        Files.writeString(tmp.resolve("q.txt"), "1 Mary moved.\n2 Where is Mary?\tbathroom\n");
    e = assertThrows(DataException.class, () -> Babi.parseUnverified(badQuestion));
    assertTrue(
        e.getMessage().contains("line 2") && e.getMessage().contains("<TAB>"), e.getMessage());
    assertThrows(DataException.class, () -> Babi.load(tmp.resolve("nowhere"), 1, Babi.Size.K1));
  }

  @Test
  void tokenizerSplitsWordAndPunctuationRuns() {
    assertEquals(List.of("where", "is", "mary", "?"), Babi.tokenize("where is mary? "));
    assertEquals(
        List.of("the", "kitchen", "is", "north", "of", "the", "bathroom", "."),
        Babi.tokenize("the kitchen is north of the bathroom."));
  }
}
