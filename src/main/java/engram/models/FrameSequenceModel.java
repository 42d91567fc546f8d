package engram.models;

import engram.cells.NoiseSource;
import engram.cells.RecurrentCell;
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
import org.tensorflow.types.family.TFloating;

/**
 * A recurrent baseline for image association (the released {@code image_association_task_lstm.py}
 * with any registered cell): the story's L frames followed by the query frame, each encoded, read
 * by a stack of recurrent layers.
 *
 * <pre>
 *  (1) x = [frame_1 .. frame_L, query]               [B, L + 1, H, W, C]
 *  (2) f_t = enc(x_t)                                [B, L + 1, d], {@link FrameEncoder}
 *  (3) h^l = layer_l(h^(l-1))                        any cell, stacked
 *  (4) logits = h^top_(L+1) W_o                      [B, classes], no bias, he_uniform
 *  loss += l2 (sum |conv kernels|^2 + |W_f|^2)
 * </pre>
 */
public final class FrameSequenceModel<T extends TFloating> implements Model<T> {

  private final ModelConfig config;
  private final ConvNetConfig encoderConfig;
  private final int steps;
  private final int[] frame;
  private final FrameEncoder<T> encoder;
  private final FrameEncoder.Branch<T> branch;
  private final List<RecurrentCell<T>> layers = new ArrayList<>();
  private final Param<T> output;

  /**
   * @param storyLength L; the layers read L + 1 frames
   * @param frame {@code [H, W, C]} of every frame
   */
  @SuppressWarnings("unchecked") // the factory's contract: a cell of the params' type
  public FrameSequenceModel(
      ParamSet<T> params, ModelConfig config, int storyLength, int[] frame, int classes) {
    this.config = config;
    this.encoderConfig = config.encoder();
    this.steps = storyLength + 1;
    this.frame = frame.clone();
    this.encoder = new FrameEncoder<>(params, encoderConfig, frame[0], frame[1], frame[2]);
    this.branch = encoder.branch(params.child("frames"));
    int in = encoderConfig.features();
    for (int i = 0; i < config.units().size(); i++) {
      int units = config.units().get(i);
      layers.add(
          (RecurrentCell<T>)
              config
                  .type()
                  .cell()
                  .create(params.child(config.type().layerName(i)), in, units, config));
      in = units;
    }
    this.output = params.create("output", Initializer.heUniform(), true, in, classes);
  }

  @Override
  public Forward<T> forward(
      Ops tf,
      Map<String, Operand<?>> inputs,
      boolean training,
      NoiseSource noise,
      SeedStream seeds) {
    Operand<T> story = frames(inputs, HMemClassifier.STORY, 5, tf);
    Operand<T> query = frames(inputs, HMemClassifier.QUERY, 4, tf);
    Operand<T> all =
        tf.concat(List.of(story, tf.expandDims(query, tf.constant(1))), tf.constant(1)); // (1)
    List<Op> updates = new ArrayList<>();
    Operand<T> flat = tf.reshape(all, tf.constant(new long[] {-1, frame[0], frame[1], frame[2]}));
    Operand<T> f = encoder.features(tf, branch, flat, training, seeds, updates); // (2)
    Operand<T> x = tf.reshape(f, tf.constant(new long[] {-1, steps, encoderConfig.features()}));
    Operand<T> batch = null;
    for (int i = 0; i < layers.size(); i++) { // (3)
      Ops layerTf = tf.withSubScope(config.type().layerName(i));
      State<T> start = layers.get(i).initialState(layerTf, Shapes.batchSize(tf, query), noise);
      Rnn.Sequence<T> seq = Rnn.unroll(layerTf, layers.get(i), x, steps, start, noise);
      x = seq.stacked(layerTf);
      batch = seq.last();
    }
    Operand<T> logits = tf.linalg.matMul(batch, output.value()); // (4)
    return new Forward<>(logits, updates);
  }

  @Override
  public Operand<T> penalty(Ops tf) {
    return Param.l2(tf, encoderConfig.l2(), encoder.penalised());
  }

  /** The float input {@code name} of rank {@code rank} (batch included), checked. */
  @SuppressWarnings("unchecked")
  static <T extends TFloating> Operand<T> frames(
      Map<String, Operand<?>> inputs, String name, int rank, Ops tf) {
    Operand<?> x = inputs.get(name);
    if (x == null
        || !TFloating.class.isAssignableFrom(x.type())
        || x.shape().numDimensions() != rank) {
      throw new IllegalArgumentException(
          "image association models need float inputs '"
              + HMemClassifier.STORY
              + "' [B, L, H, W, C] and '"
              + HMemClassifier.QUERY
              + "' [B, H, W, C]; got "
              + inputs.keySet());
    }
    return (Operand<T>) x;
  }
}
