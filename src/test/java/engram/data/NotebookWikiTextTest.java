package engram.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notebook protocol on a file whose every line is the same, so the shuffles do not matter. */
class NotebookWikiTextTest {

  @Test
  void windowsTargetsAndVocabularyAsTheNotebookMakesThem(@TempDir Path tmp) throws Exception {
    // 70 tokens W00 .. W69: lower-cased and sorted, wNN gets id NN.
    String line =
        IntStream.range(0, 70)
            .mapToObj(i -> String.format("W%02d", i))
            .collect(Collectors.joining(" "));
    Path file = tmp.resolve("wiki.train.tokens");
    Files.write(file, Collections.nCopies(8, " " + line + " "));
    // 8 lines: 2 kept (len // 4); 1 to test (ceil(0.2 * 2)), 1 to train; no validation.
    Splits s = NotebookWikiText.load(file, 0.0);
    // range(0, 70 - 32, 32) = 0, 32: two windows per line; the tail (64..69) is dropped.
    assertEquals(2, s.train().size() + s.validation().size());
    assertEquals(2, s.test().size());
    assertEquals(Target.classPerStep(32, 70), s.test().target());
    float[] x = new float[32];
    int[] y = new int[32];
    s.test().copyFloats(0, 1, x, 0);
    s.test().copyTargets(1, y, 0);
    float[] ids = new float[32];
    int[] next = new int[32];
    for (int j = 0; j < 32; j++) {
      ids[j] = 32 + j; // the raw token id as the feature
      next[j] = j < 31 ? 33 + j : 0; // rolled by one, the last forced to token 0
    }
    assertArrayEquals(ids, x);
    assertArrayEquals(next, y);
  }
}
