package engram.models;

import engram.cells.HMemRecallCell;
import engram.cells.HMemStoreCell;
import engram.cells.NoiseSource;
import engram.cells.State;
import engram.nn.BatchNorm;
import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Scalars;
import engram.ops.SeedStream;
import engram.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * H-Mem for question answering (Limbacher &amp; Legenstein 2020), as the released {@code
 * babi_task_single.py} builds it. For a story {@code [B, S, W]} and a query {@code [B, W]} of word
 * ids:
 *
 * <pre>
 *  (1) s_t = sum_w mask_w P_w * E[story_tw]         sentence encoding [B, S, d] (E shared with q)
 *      q   = sum_w mask_w P_w * E[query_w]          [B, d]
 *  (2) s = BN_s(s), q = BN_q(q)                     statistics include padded sentences
 *  (3) k_t = mask_t ReLU(s_t W_k), v_t = mask_t ReLU(s_t W_v)        keys, values [B, S, m]
 *  (4) M_S = store(k_1 v_1 ... k_S v_S)                            Hebbian writes, {@link HMemStoreCell}
 *  (5) v_N = recall^N(q, M_S), v_0 = 0                            recurrent queries, {@link HMemRecallCell}
 *  (6) logits = v_N W_o                                            over the whole vocabulary
 *  loss += l2 (|W_k|^2 + |W_v|^2 + |W_r|^2)
 * </pre>
 *
 * The time word in each statement's last slot indexes E like any word, so recency is a learned
 * additive vector. P is ones (bag of words), the centred position encoding, or learned (ones at
 * first); its last row (the time word's) stays 1, which is the released code's MaskTimeWord
 * constraint. No biases anywhere, as in the code.
 */
public final class HMemClassifier<T extends TFloating> implements Model<T> {

  public static final String STORY = "story";
  public static final String QUERY = "query";

  private final HMemConfig config;
  private final int storyLength;
  private final int width;
  private final Class<T> type;
  private final Param<T> embedding;
  private final Param<T> encoding; // null unless learned
  private final double[][] fixedEncoding; // [W][d] for bow and pe
  private final BatchNorm<T> storyNorm;
  private final BatchNorm<T> queryNorm;
  private final Param<T> keyKernel;
  private final Param<T> valueKernel;
  private final HMemStoreCell<T> store;
  private final HMemRecallCell<T> recall;
  private final Param<T> output;

  /**
   * @param storyLength S
   * @param width W, word slots per sentence
   * @param vocabularySize V, embedding rows and output classes
   */
  public HMemClassifier(
      ParamSet<T> params, HMemConfig config, int storyLength, int width, int vocabularySize) {
    this.config = config;
    this.storyLength = storyLength;
    this.width = width;
    this.type = params.type();
    int d = config.embeddingSize();
    int m = config.memorySize();
    this.embedding = params.create("embedding", Initializer.heUniform(), true, vocabularySize, d);
    this.encoding =
        config.encoding() == HMemConfig.Encoding.LE
            ? params.create("encoding", Initializer.ones(), true, width, d)
            : null;
    this.fixedEncoding =
        config.encoding() == HMemConfig.Encoding.PE ? positionEncoding(width, d) : ones(width, d);
    this.storyNorm = new BatchNorm<>(params.child("batch_norm_story"), d);
    this.queryNorm = new BatchNorm<>(params.child("batch_norm_query"), d);
    this.keyKernel =
        params.child("extracting").create("key_kernel", Initializer.heUniform(), true, d, m);
    this.valueKernel =
        params.child("extracting").create("value_kernel", Initializer.heUniform(), true, d, m);
    this.store = new HMemStoreCell<>(m, config.gammaPos(), config.gammaNeg(), config.wMax(), type);
    this.recall = new HMemRecallCell<>(params.child("reading"), d, m);
    this.output = params.create("output", Initializer.heUniform(), true, m, vocabularySize);
  }

  /**
   * The released code's position encoding: {@code 1 + 4 (i - (d+1)/2)(j - (W+1)/2) / (d W)} for
   * embedding unit i and word slot j (1-based), with the time-word slot (j = W) set to 1.
   */
  static double[][] positionEncoding(int width, int d) {
    double[][] p = new double[width][d];
    for (int j = 1; j <= width; j++) {
      for (int i = 1; i <= d; i++) {
        p[j - 1][i - 1] =
            j == width ? 1.0 : 1 + 4.0 * (i - (d + 1) / 2.0) * (j - (width + 1) / 2.0) / d / width;
      }
    }
    return p;
  }

  private static double[][] ones(int width, int d) {
    double[][] p = new double[width][d];
    for (double[] row : p) {
      java.util.Arrays.fill(row, 1.0);
    }
    return p;
  }

  @Override
  public Forward<T> forward(
      Ops tf,
      Map<String, Operand<?>> inputs,
      boolean training,
      NoiseSource noise,
      SeedStream seeds) {
    Operand<TInt32> story = intInput(inputs, STORY);
    Operand<TInt32> query = intInput(inputs, QUERY);
    Operand<T> p = encodingMatrix(tf);
    List<Op> updates = new ArrayList<>();

    Operand<T> s = encode(tf, story, p, 2); // (1) [B, S, d]
    Operand<T> q = encode(tf, query, p, 1); // [B, d]
    BatchNorm.Result<T> sn =
        storyNorm.apply(tf.withSubScope("batch_norm_story"), s, training, 0, 1);
    BatchNorm.Result<T> qn = queryNorm.apply(tf.withSubScope("batch_norm_query"), q, training, 0);
    updates.addAll(sn.updates());
    updates.addAll(qn.updates()); // (2)

    Operand<T> sentenceMask =
        tf.expandDims(
            tf.dtypes.cast(
                tf.reduceAny(tf.math.notEqual(story, tf.constant(0)), tf.constant(2)), type),
            tf.constant(2)); // [B, S, 1]
    Operand<T> keys = tf.math.mul(sentenceMask, extract(tf, sn.output(), keyKernel)); // (3)
    Operand<T> values = tf.math.mul(sentenceMask, extract(tf, sn.output(), valueKernel));

    Ops write = tf.withSubScope("writing");
    Operand<T> pairs = write.concat(List.of(keys, values), write.constant(2)); // [B, S, 2m]
    State<T> empty = store.initialState(write, Shapes.batchSize(tf, story), noise);
    Operand<T> memory =
        store.memory(
            write, Rnn.unroll(write, store, pairs, storyLength, empty, noise).finalState()); // (4)

    Ops read = tf.withSubScope("reading");
    Operand<T> answer =
        read.zeros(Shapes.withBatch(read, Shapes.batchSize(tf, query), config.memorySize()), type);
    for (int n = 0; n < config.hops(); n++) {
      answer =
          recall.step(
              read.withSubScope(String.format("hop%d", n + 1)), qn.output(), answer, memory); // (5)
    }
    Operand<T> logits = tf.linalg.matMul(answer, output.value()); // (6)
    return new Forward<>(logits, updates, Map.of(MEMORY, memory));
  }

  @Override
  public Operand<T> penalty(Ops tf) {
    return Param.l2(tf, config.l2(), List.of(keyKernel, valueKernel, recall.kernel()));
  }

  /** P [W, d]: learned weights with the time-word row held at 1, or the fixed matrix. */
  private Operand<T> encodingMatrix(Ops tf) {
    int d = config.embeddingSize();
    if (encoding == null) {
      return tf.dtypes.cast(tf.constant(fixedEncoding), type);
    }
    double[] lastRow = new double[width * d];
    for (int i = (width - 1) * d; i < width * d; i++) {
      lastRow[i] = 1.0;
    }
    Operand<T> timeRow =
        tf.dtypes.cast(tf.constant(Shape.of(width, d), DataBuffers.of(lastRow, true, false)), type);
    // P * (1 - e_W) + e_W: the last row is exactly 1 and receives no gradient (MaskTimeWord).
    return tf.math.add(
        tf.math.mul(encoding.value(), tf.math.sub(Scalars.of(tf, 1.0, type), timeRow)), timeRow);
  }

  /** (1): masked, position-weighted sum of word embeddings over the word axis {@code wordAxis}. */
  private Operand<T> encode(Ops tf, Operand<TInt32> ids, Operand<T> p, int wordAxis) {
    Operand<T> embedded = tf.gather(embedding.value(), ids, tf.constant(0)); // [..., W, d]
    Operand<T> mask =
        tf.expandDims(tf.dtypes.cast(tf.math.notEqual(ids, tf.constant(0)), type), tf.constant(-1));
    return tf.sum(
        tf.math.mul(tf.math.mul(mask, p), embedded), tf.constant(wordAxis), Sum.keepDims(false));
  }

  /** ReLU(x W) for x [B, S, d], through a [B*S, d] matrix product. */
  private Operand<T> extract(Ops tf, Operand<T> x, Param<T> kernel) {
    int d = config.embeddingSize();
    int m = config.memorySize();
    Operand<T> flat = tf.reshape(x, tf.constant(new int[] {-1, d}));
    Operand<T> out = tf.nn.relu(tf.linalg.matMul(flat, kernel.value()));
    return tf.reshape(out, tf.constant(new int[] {-1, storyLength, m}));
  }

  @SuppressWarnings("unchecked")
  private static Operand<TInt32> intInput(Map<String, Operand<?>> inputs, String name) {
    Operand<?> x = inputs.get(name);
    if (x == null || x.type() != TInt32.class) {
      throw new IllegalArgumentException(
          "H-Mem needs int32 inputs '"
              + STORY
              + "' [B, S, W] and '"
              + QUERY
              + "' [B, W]; got "
              + inputs.keySet());
    }
    return (Operand<TInt32>) x;
  }
}
