package engram.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * WikiText read the way the ENN paper's notebook reads WikiText-103 ({@code sequence.ipynb}; enn.md
 * §4.4), reproduced step by step on the released training file:
 *
 * <ol>
 *   <li>its lines, shuffled (seed 42), of which the first quarter is kept;
 *   <li>each line lower-cased and split on whitespace; no {@code <eos>}, no unknown-word handling;
 *   <li>the vocabulary is the sorted set of all tokens kept (index 0 = the first in order);
 *   <li>each line cut into non-overlapping windows of 32 tokens, {@code range(0, len - 32, 32)}
 *       (the tail dropped, and a final exact window too);
 *   <li>the lines split 80/20 into training and test (seed 42), then their windows flattened;
 *   <li>input: the raw token id as one float feature ({@code [32, 1]}, no embedding); target: the
 *       input rolled left by one with the last target forced to token 0.
 * </ol>
 *
 * The shuffles are Java's (SplittableRandom), not Hugging Face's or scikit-learn's, so the lines
 * kept differ from the notebook's; the protocol is the same. Windows are independent examples.
 */
public final class NotebookWikiText implements Dataset {

  /** Tokens per window. */
  public static final int WINDOW = 32;

  static final long SEED = 42;
  static final double KEPT = 0.25;
  static final double TEST = 0.2;

  private final int[] windows; // n * WINDOW token ids
  private final int vocabulary;

  private NotebookWikiText(int[] windows, int vocabulary) {
    this.windows = windows;
    this.vocabulary = vocabulary;
  }

  /**
   * The notebook splits of {@code trainFile} ({@code wiki.train.tokens}, checksum verified): the
   * last {@code validationFraction} of the training windows validate, as Keras validation_split.
   */
  public static Splits load(Path trainFile, double validationFraction) throws DataException {
    List<String> lines;
    try {
      lines = Files.readAllLines(trainFile, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new DataException(trainFile, "cannot read it (" + e.getMessage() + ")", e);
    }
    int[] order = Batches.permutation(lines.size(), SEED);
    int kept = lines.size() / 4; // len // 4
    List<String[]> tokens = new ArrayList<>(kept);
    TreeSet<String> words = new TreeSet<>();
    for (int i = 0; i < kept; i++) {
      String line = lines.get(order[i]).toLowerCase(Locale.ROOT).strip();
      String[] t = line.isEmpty() ? new String[0] : line.split("\\s+");
      tokens.add(t);
      words.addAll(Arrays.asList(t));
    }
    Map<String, Integer> ids = new HashMap<>();
    for (String w : words) {
      ids.put(w, ids.size());
    }
    int[] split = Batches.permutation(kept, SEED);
    int testLines = (int) Math.ceil(TEST * kept);
    int[] testIdx = Arrays.copyOfRange(split, 0, testLines);
    int[] trainIdx = Arrays.copyOfRange(split, testLines, kept);
    NotebookWikiText train = new NotebookWikiText(windows(tokens, trainIdx, ids), ids.size());
    NotebookWikiText test = new NotebookWikiText(windows(tokens, testIdx, ids), ids.size());
    return Splits.tail(train, test, validationFraction);
  }

  private static int[] windows(List<String[]> lines, int[] which, Map<String, Integer> ids) {
    List<int[]> out = new ArrayList<>();
    for (int i : which) {
      String[] line = lines.get(i);
      for (int start = 0; start < line.length - WINDOW; start += WINDOW) {
        int[] w = new int[WINDOW];
        for (int j = 0; j < WINDOW; j++) {
          w[j] = ids.get(line[start + j]);
        }
        out.add(w);
      }
    }
    int[] flat = new int[out.size() * WINDOW];
    for (int i = 0; i < out.size(); i++) {
      System.arraycopy(out.get(i), 0, flat, i * WINDOW, WINDOW);
    }
    return flat;
  }

  @Override
  public int size() {
    return windows.length / WINDOW;
  }

  @Override
  public int numClasses() {
    return vocabulary;
  }

  @Override
  public int label(int index) {
    throw new UnsupportedOperationException("a window has a target per step");
  }

  @Override
  public Target target() {
    return Target.classPerStep(WINDOW, vocabulary);
  }

  @Override
  public List<Feature> inputs() {
    return List.of(new Feature("x", Feature.Kind.FLOAT, new int[] {WINDOW, 1}));
  }

  /** The raw token ids as floats, one feature per step. */
  @Override
  public void copyFloats(int input, int index, float[] dst, int offset) {
    for (int j = 0; j < WINDOW; j++) {
      dst[offset + j] = windows[index * WINDOW + j];
    }
  }

  /** {@code np.roll(x, -1)} with the last target forced to token 0, as the notebook does. */
  @Override
  public void copyTargets(int index, int[] dst, int offset) {
    System.arraycopy(windows, index * WINDOW + 1, dst, offset, WINDOW - 1);
    dst[offset + WINDOW - 1] = 0;
  }
}
