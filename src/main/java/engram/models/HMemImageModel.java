package engram.models;

import engram.cells.HMemStoreCell;
import engram.cells.NoiseSource;
import engram.cells.State;
import engram.nn.ConvNetConfig;
import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.SeedStream;
import engram.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.family.TFloating;

/**
 * Feed-forward H-Mem for one-shot image association (Limbacher &amp; Legenstein 2020, Figure 2B;
 * the released {@code image_association_task.py}). For a story of L frames {@code [B, L, H, W, C]}
 * and a query frame {@code [B, H, W, C]}:
 *
 * <pre>
 *  (1) f_t = enc_a(frame_t), g = enc_b(query)       [B, L, d], [B, d]: one shared ConvNet,
 *                                                    a feature layer per branch ({@link FrameEncoder})
 *  (2) k_t = ReLU(f_t W_k),  v_t = ReLU(f_t W_v)     keys, values [B, L, m]; no mask: delay frames
 *                                                    are written too
 *  (3) M_L = store(k_1 v_1 ... k_L v_L)              Hebbian writes, {@link HMemStoreCell}
 *  (4) k_q = ReLU(g W_r),  v = M_L^T k_q             one query, no recurrence
 *  (5) logits = v W_o                                [B, classes], no bias
 *  loss += l2 (sum |conv kernels|^2 + |W_a|^2 + |W_b|^2 + |W_k|^2 + |W_v|^2 + |W_r|^2)
 * </pre>
 */
public final class HMemImageModel<T extends TFloating> implements Model<T> {

  private final HMemConfig config;
  private final ConvNetConfig encoderConfig;
  private final int storyLength;
  private final int[] frame;
  private final FrameEncoder<T> encoder;
  private final FrameEncoder.Branch<T> storyBranch;
  private final FrameEncoder.Branch<T> queryBranch;
  private final Param<T> keyKernel;
  private final Param<T> valueKernel;
  private final Param<T> readKernel;
  private final Param<T> output;
  private final HMemStoreCell<T> store;

  /**
   * @param storyLength L, frames per story
   * @param frame {@code [H, W, C]} of every frame
   */
  public HMemImageModel(
      ParamSet<T> params,
      HMemConfig config,
      ConvNetConfig encoderConfig,
      int storyLength,
      int[] frame,
      int classes) {
    this.config = config;
    this.encoderConfig = encoderConfig;
    this.storyLength = storyLength;
    this.frame = frame.clone();
    int d = encoderConfig.features();
    int m = config.memorySize();
    this.encoder = new FrameEncoder<>(params, encoderConfig, frame[0], frame[1], frame[2]);
    this.storyBranch = encoder.branch(params.child("story"));
    this.queryBranch = encoder.branch(params.child("query"));
    ParamSet<T> extracting = params.child("extracting");
    this.keyKernel = extracting.create("key_kernel", Initializer.heUniform(), true, d, m);
    this.valueKernel = extracting.create("value_kernel", Initializer.heUniform(), true, d, m);
    this.readKernel = params.child("reading").create("kernel", Initializer.heUniform(), true, d, m);
    this.output = params.create("output", Initializer.heUniform(), true, m, classes);
    this.store =
        new HMemStoreCell<>(m, config.gammaPos(), config.gammaNeg(), config.wMax(), params.type());
  }

  @Override
  public Forward<T> forward(
      Ops tf,
      Map<String, Operand<?>> inputs,
      boolean training,
      NoiseSource noise,
      SeedStream seeds) {
    Operand<T> story = FrameSequenceModel.frames(inputs, HMemClassifier.STORY, 5, tf);
    Operand<T> query = FrameSequenceModel.frames(inputs, HMemClassifier.QUERY, 4, tf);
    int m = config.memorySize();
    List<Op> updates = new ArrayList<>();

    Ops a = tf.withSubScope("story");
    Operand<T> flatFrames =
        a.reshape(story, a.constant(new long[] {-1, frame[0], frame[1], frame[2]}));
    Operand<T> f = encoder.features(a, storyBranch, flatFrames, training, seeds, updates); // (1)
    Ops b = tf.withSubScope("query");
    Operand<T> g = encoder.features(b, queryBranch, query, training, seeds, updates);

    Operand<T> keys = tf.nn.relu(tf.linalg.matMul(f, keyKernel.value())); // (2) [B L, m]
    Operand<T> values = tf.nn.relu(tf.linalg.matMul(f, valueKernel.value()));
    Ops write = tf.withSubScope("writing");
    Operand<T> pairs =
        write.reshape(
            write.concat(List.of(keys, values), write.constant(1)),
            write.constant(new long[] {-1, storyLength, 2L * m})); // [B, L, 2m]
    State<T> empty = store.initialState(write, Shapes.batchSize(tf, query), noise);
    Operand<T> memory =
        store.memory(
            write,
            Rnn.unroll(write, store, pairs, storyLength, empty, noise)
                .finalState()); // (3) [B, m, m]

    Ops read = tf.withSubScope("reading");
    Operand<T> key = read.nn.relu(read.linalg.matMul(g, readKernel.value())); // (4)
    Operand<T> recalled =
        read.squeeze(
            read.train.batchMatMul(read.expandDims(key, read.constant(1)), memory, key.type()),
            Squeeze.axis(List.of(1L)));
    Operand<T> logits = tf.linalg.matMul(recalled, output.value()); // (5)
    return new Forward<>(logits, updates, Map.of(MEMORY, memory));
  }

  @Override
  public Operand<T> penalty(Ops tf) {
    return tf.math.add(
        Param.l2(tf, encoderConfig.l2(), encoder.penalised()),
        Param.l2(tf, config.l2(), List.of(keyKernel, valueKernel, readKernel)));
  }
}
