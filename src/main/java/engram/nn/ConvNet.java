package engram.nn;

import engram.ops.Dropout;
import engram.ops.MaxPool;
import engram.ops.SeedStream;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The convolutional part of a {@link ConvNetConfig} encoder (the released ConvNet14 with {@code
 * include_top=False}), as Keras' Sequential runs it:
 *
 * <pre>
 *   per block b:  x = BN(ELU(conv(x)))   (convsPerBlock times)
 *                 x = Dropout_b(MaxPool2x2(x))
 *   out = flatten(x)                       [N, H/2^n * W/2^n * channels_n]
 * </pre>
 *
 * BatchNorm here is Keras' fused kernel: statistics over N, H and W, and the moving variance kept
 * Bessel-corrected.
 */
public final class ConvNet<T extends TFloating> {

  private final ConvNetConfig config;
  private final List<Conv2D<T>> convs = new ArrayList<>();
  private final List<BatchNorm<T>> norms = new ArrayList<>();
  private final int outputSize;

  /** Variables under {@code params}: {@code block1/conv1/kernel}, {@code block1/bn1/gamma}, ... */
  public ConvNet(ParamSet<T> params, ConvNetConfig config, int height, int width, int channels) {
    this.config = config;
    int in = channels;
    int h = height;
    int w = width;
    for (int b = 0; b < config.channels().size(); b++) {
      ParamSet<T> block = params.child("block" + (b + 1));
      int out = config.channels().get(b);
      for (int c = 0; c < config.convsPerBlock(); c++) {
        convs.add(new Conv2D<>(block.child("conv" + (c + 1)), 3, in, out));
        norms.add(new BatchNorm<>(block.child("bn" + (c + 1)), out));
        in = out;
      }
      h /= 2;
      w /= 2;
      if (h < 1 || w < 1) {
        throw new IllegalArgumentException(
            config.channels().size()
                + " pooling blocks need frames of at least 2^blocks pixels a side, got "
                + height
                + " x "
                + width);
      }
    }
    this.outputSize = h * w * in;
  }

  /** Width of the flattened output. */
  public int outputSize() {
    return outputSize;
  }

  /** Every convolution kernel, for the L2 penalty. */
  public List<Param<T>> kernels() {
    return convs.stream().map(Conv2D::kernel).toList();
  }

  /** The flattened features and, in training, BatchNorm's moving-average updates. */
  public BatchNorm.Result<T> apply(Ops tf, Operand<T> images, boolean training, SeedStream seeds) {
    List<Op> updates = new ArrayList<>();
    Operand<T> x = images;
    int layer = 0;
    for (int b = 0; b < config.channels().size(); b++) {
      Ops block = tf.withSubScope("block" + (b + 1));
      for (int c = 0; c < config.convsPerBlock(); c++, layer++) {
        Ops conv = block.withSubScope("conv" + (c + 1));
        x = conv.nn.elu(convs.get(layer).apply(conv, x));
        BatchNorm.Result<T> n =
            norms.get(layer).applyFused(block.withSubScope("bn" + (c + 1)), x, training);
        x = n.output();
        updates.addAll(n.updates());
      }
      x = MaxPool.of2x2(block, x);
      double rate = config.dropouts().get(b);
      if (training && rate > 0) {
        x = Dropout.apply(block, x, rate, seeds.next(block));
      }
    }
    Operand<T> flat = tf.reshape(x, tf.constant(new long[] {-1, outputSize}));
    return new BatchNorm.Result<>(flat, updates);
  }
}
