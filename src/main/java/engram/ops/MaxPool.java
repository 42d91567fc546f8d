package engram.ops;

import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.types.family.TFloating;

/**
 * 2 x 2 max pooling with stride 2 and 'valid' padding, NHWC, as TensorFlow's first-version {@code
 * MaxPool} op. TF Java's {@code tf.nn.maxPool} builds {@code MaxPoolV2} (window as a tensor), which
 * oneDNN's graph rewrite does not take over on CPUs; {@code MaxPool} (window as an attribute) runs
 * as oneDNN's kernel, whose gradient was 3-4 times faster than {@code MaxPoolGradV2} on the image
 * association encoder's first block (1,088 frames of 32 x 64 x 4). Same values, same gradient.
 */
public final class MaxPool {

  private static final long[] WINDOW = {1, 2, 2, 1};

  private MaxPool() {}

  /** {@code [N, H, W, C] -> [N, H/2, W/2, C]}, each output the maximum of its 2 x 2 window. */
  public static <T extends TFloating> Operand<T> of2x2(Ops tf, Operand<T> x) {
    Scope scope = tf.scope();
    Output<T> pooled =
        scope
            .env()
            .opBuilder("MaxPool", scope.makeOpName("MaxPool"), scope)
            .addInput(x.asOutput())
            .setAttr("ksize", WINDOW)
            .setAttr("strides", WINDOW)
            .setAttr("padding", "VALID")
            .setAttr("data_format", "NHWC")
            .build()
            .output(0);
    return pooled;
  }
}
