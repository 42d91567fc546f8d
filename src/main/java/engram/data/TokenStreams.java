package engram.data;

import java.util.List;

/**
 * A token sequence as a language-modelling dataset: the input at each position is a token, the
 * target the token after it. The {@code N - 1} predictions are cut into {@code B} contiguous
 * streams of {@code L = ceil((N - 1) / B)} positions (the last stream shorter), and each stream
 * into windows of {@code T}; example {@code w*B + s} is window w of stream s ({@link #streams()}).
 * Positions past a stream's end are padding: input 0, target {@link Target#IGNORE}. So every
 * prediction of the split is scored exactly once, and the mean over the scored positions is the
 * split's mean token NLL.
 */
public final class TokenStreams implements Dataset {

  private final int[] tokens;
  private final int streams;
  private final int window;
  private final int vocabulary;
  private final int streamLength;
  private final int windows;

  /**
   * @param tokens token ids in {@code [0, vocabulary)}, at least 2
   * @param streams B
   * @param window T
   */
  public TokenStreams(int[] tokens, int streams, int window, int vocabulary) {
    if (tokens.length < 2 || streams < 1 || window < 1 || vocabulary < 2) {
      throw new IllegalArgumentException(
          String.format(
              "need >= 2 tokens, >= 1 stream, a window >= 1 and a vocabulary >= 2; got %d, %d, %d,"
                  + " %d",
              tokens.length, streams, window, vocabulary));
    }
    if (streams > tokens.length - 1) {
      throw new IllegalArgumentException(
          streams + " streams for " + (tokens.length - 1) + " predictions; use fewer streams");
    }
    this.tokens = tokens;
    this.streams = streams;
    this.window = window;
    this.vocabulary = vocabulary;
    this.streamLength = (tokens.length - 1 + streams - 1) / streams;
    this.windows = (streamLength + window - 1) / window;
  }

  /** Windows per stream, i.e. batches per pass. */
  public int windows() {
    return windows;
  }

  /** Predictions scored in one pass: {@code N - 1}. */
  public long predictions() {
    return tokens.length - 1L;
  }

  @Override
  public int size() {
    return windows * streams;
  }

  @Override
  public int numClasses() {
    return vocabulary;
  }

  @Override
  public int label(int index) {
    throw new UnsupportedOperationException("a language-modelling window has a target per step");
  }

  @Override
  public Target target() {
    return Target.classPerStep(window, vocabulary);
  }

  @Override
  public List<Feature> inputs() {
    return List.of(new Feature("x", Feature.Kind.INT, new int[] {window}));
  }

  @Override
  public int streams() {
    return streams;
  }

  /** Token position of step 0 of example {@code index}, and how many of its steps are real. */
  private int start(int index) {
    int w = index / streams;
    int s = index % streams;
    return s * streamLength + w * window;
  }

  private int valid(int index) {
    int s = index % streams;
    int end = Math.min((s + 1) * streamLength, tokens.length - 1);
    return Math.max(0, Math.min(window, end - start(index)));
  }

  @Override
  public void copyInts(int input, int index, int[] dst, int offset) {
    int from = start(index);
    int n = valid(index);
    System.arraycopy(tokens, from, dst, offset, n);
    java.util.Arrays.fill(dst, offset + n, offset + window, 0);
  }

  @Override
  public void copyTargets(int index, int[] dst, int offset) {
    int from = start(index) + 1;
    int n = valid(index);
    System.arraycopy(tokens, from, dst, offset, n);
    java.util.Arrays.fill(dst, offset + n, offset + window, Target.IGNORE);
  }
}
