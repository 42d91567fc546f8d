package engram.models;

import java.util.Locale;

/**
 * H-Mem hyper-parameters, named and defaulted as the released code's {@code babi_task_single.py}.
 *
 * @param embeddingSize d, word embedding width (80)
 * @param memorySize m, key and value units; the memory is m x m (100)
 * @param hops N, recurrent memory queries (3); 1 is the feed-forward H-Mem
 * @param encoding how a sentence's word embeddings are combined (learned, the default)
 * @param gammaPos Hebbian potentiation rate (0.01, fixed)
 * @param gammaNeg Hebbian depression rate (0.01, fixed)
 * @param wMax upper bound of associations (1)
 * @param l2 L2 penalty on the key, value and query-key kernels (Keras {@code l2(1e-3)})
 */
public record HMemConfig(
    int embeddingSize,
    int memorySize,
    int hops,
    Encoding encoding,
    double gammaPos,
    double gammaNeg,
    double wMax,
    double l2) {

  /** Sentence encodings of the released code. */
  public enum Encoding {
    /** Bag of words: the sum of a sentence's word embeddings ("identity_encoding"). */
    BOW,
    /** Fixed centred position encoding ("position_encoding"). */
    PE,
    /** Learned position weights, initialised to ones ("learned_encoding"). */
    LE;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public HMemConfig {
    if (embeddingSize <= 0 || memorySize <= 0) {
      throw new IllegalArgumentException(
          "hmem.embeddingSize and hmem.memorySize must be > 0, got "
              + embeddingSize
              + " and "
              + memorySize);
    }
    if (hops < 1) {
      throw new IllegalArgumentException("hmem.hops must be >= 1, got " + hops);
    }
    if (encoding == null) {
      encoding = Encoding.LE;
    }
    if (!(gammaPos >= 0 && gammaNeg >= 0 && wMax > 0 && l2 >= 0)) {
      throw new IllegalArgumentException(
          "hmem.gammaPos, gammaNeg and l2 must be >= 0 and wMax > 0, got "
              + gammaPos
              + ", "
              + gammaNeg
              + ", "
              + l2
              + ", "
              + wMax);
    }
  }

  /** d 80, m 100, N 3, learned encoding, gamma+- 0.01, w_max 1, L2 1e-3. */
  public static HMemConfig defaults() {
    return new HMemConfig(80, 100, 3, Encoding.LE, 0.01, 0.01, 1.0, 1e-3);
  }
}
