package engram.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WikiText-2 from the real released files, and the tokenization on hand-made text. */
class WikiTextTest {

  static final Path DATA = Path.of("..", "shared", "data");

  @Test
  void wikiText2HasThePublishedSizes() throws Exception {
    WikiText.Corpus c = WikiText.load(DATA, WikiText.Version.WIKITEXT2);
    // Merity et al. 2016, Table 1, and the shared data's README.
    assertEquals(2_088_628, c.train().length);
    assertEquals(217_646, c.valid().length);
    assertEquals(245_569, c.test().length);
    assertEquals(33_278, c.vocabulary().size());
    assertEquals(0, c.unknown(), "every valid/test word is in the training vocabulary");

    // The test file, read here independently: each line's words, then <eos>.
    List<String> expected = new ArrayList<>();
    for (String line : Files.readAllLines(DATA.resolve("wikitext-2/wiki.test.tokens"))) {
      Arrays.stream(line.split(" ")).filter(w -> !w.isEmpty()).forEach(expected::add);
      expected.add("<eos>");
    }
    assertEquals(expected.size(), c.test().length);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), c.vocabulary().word(c.test()[i]), "test token " + i);
    }
    // Ids in order of first appearance in the training file, which opens with an empty line.
    assertEquals(0, c.vocabulary().id("<eos>"));
    assertEquals(
        List.of("<eos>", "=", "Valkyria", "Chronicles", "III", "=", "<eos>"),
        Arrays.stream(c.train(), 0, 7).mapToObj(c.vocabulary()::word).toList());
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 1, 0}, Arrays.copyOf(c.train(), 7));
  }

  @Test
  void linesBecomeWordsAndEos() throws Exception {
    Vocabulary v = new Vocabulary();
    long[] unknown = {0};
    int[] train = WikiText.tokens(reader(" a <unk> b \n\nb a\n"), v, true, unknown);
    assertArrayEquals(new int[] {0, 1, 2, 3, 3, 2, 0, 3}, train);
    assertEquals(
        List.of("a", "<unk>", "b", "<eos>"), List.of(v.word(0), v.word(1), v.word(2), v.word(3)));
    int[] test = WikiText.tokens(reader("b z a\nz\n"), v, false, unknown);
    assertArrayEquals(new int[] {2, 1, 0, 3, 1, 3}, test, "z is not in the vocabulary: <unk>");
    assertEquals(2, unknown[0]);
    assertEquals(4, v.size(), "evaluation text adds no words");
  }

  @Test
  void aDamagedOrMissingFileIsNamed(@TempDir Path tmp) throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("wikitext-2"));
    for (String f : List.of("wiki.train.tokens", "wiki.valid.tokens", "wiki.test.tokens")) {
      Files.copy(DATA.resolve("wikitext-2").resolve(f), folder.resolve(f));
    }
    Path valid = folder.resolve("wiki.valid.tokens");
    byte[] bytes = Files.readAllBytes(valid);
    Files.write(valid, Arrays.copyOf(bytes, bytes.length - 100));
    DataException e =
        assertThrows(DataException.class, () -> WikiText.load(tmp, WikiText.Version.WIKITEXT2));
    assertEquals(valid, e.path());
    assertTrue(
        e.getMessage().contains("SHA-256") && e.getMessage().contains("wikitext.sh"),
        e.getMessage());

    DataException missing =
        assertThrows(DataException.class, () -> WikiText.load(tmp, WikiText.Version.WIKITEXT103));
    assertTrue(
        missing.getMessage().contains("wikitext-103: directory not found"), missing.getMessage());
  }

  private static BufferedReader reader(String text) {
    return new BufferedReader(new StringReader(text));
  }
}
