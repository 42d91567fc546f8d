package engram.models;

import engram.nn.BatchNorm;
import engram.nn.ConvNet;
import engram.nn.ConvNetConfig;
import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Dropout;
import engram.ops.SeedStream;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Frame features of the image-association models (the released {@code image_association_task*.py}):
 * one {@link ConvNet}, shared, and for each branch its own feature layer
 *
 * <pre>
 *   f = Dropout(BN(ReLU(ConvNet(x) W)))      W [flat, features]: no bias, he_uniform, L2
 * </pre>
 *
 * applied to all frames of a batch at once ({@code [N, H, W, C]}, N = B L for a story).
 */
final class FrameEncoder<T extends TFloating> {

  private final ConvNetConfig config;
  private final ConvNet<T> convNet;
  private final List<Param<T>> penalised = new ArrayList<>();

  FrameEncoder(ParamSet<T> params, ConvNetConfig config, int height, int width, int channels) {
    this.config = config;
    this.convNet = new ConvNet<>(params.child("conv_net"), config, height, width, channels);
    penalised.addAll(convNet.kernels());
  }

  /** A branch's feature layer, its variables under {@code params}. */
  Branch<T> branch(ParamSet<T> params) {
    Param<T> kernel =
        params
            .child("dense")
            .create(
                "kernel", Initializer.heUniform(), true, convNet.outputSize(), config.features());
    penalised.add(kernel);
    return new Branch<>(kernel, new BatchNorm<>(params.child("batch_norm"), config.features()));
  }

  /** One branch's weights. */
  record Branch<T extends TFloating>(Param<T> kernel, BatchNorm<T> norm) {}

  /** Features {@code [N, features]} of {@code frames [N, H, W, C]}; BN updates go to updates. */
  Operand<T> features(
      Ops tf,
      Branch<T> branch,
      Operand<T> frames,
      boolean training,
      SeedStream seeds,
      List<Op> updates) {
    BatchNorm.Result<T> conv = convNet.apply(tf.withSubScope("conv_net"), frames, training, seeds);
    updates.addAll(conv.updates());
    Operand<T> f = tf.nn.relu(tf.linalg.matMul(conv.output(), branch.kernel().value()));
    BatchNorm.Result<T> n = branch.norm().apply(tf.withSubScope("batch_norm"), f, training, 0);
    updates.addAll(n.updates());
    f = n.output();
    if (training && config.featureDropout() > 0) {
      f = Dropout.apply(tf, f, config.featureDropout(), seeds.next(tf));
    }
    return f;
  }

  /** The feature width. */
  int width() {
    return config.features();
  }

  /** Every L2-penalised kernel: the convolutions and each branch's feature layer. */
  List<Param<T>> penalised() {
    return List.copyOf(penalised);
  }
}
