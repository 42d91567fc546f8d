package engram.train;

import java.util.Locale;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * The floating types a training graph computes in: float32 for real runs, float64 where results
 * must be compared to 1e-12 (several replicas against one device, gradients against finite
 * differences), and bfloat16 mixed precision, where the model's matmuls and activations run in
 * bfloat16 while the weights, their gradients, Adam, the loss and the LayerNorm and softmax
 * statistics stay float32; float16 mixed precision likewise, with dynamic loss scaling ({@link
 * LossScale}), because float16's 5 exponent bits flush small gradients to zero. Inputs arrive as
 * float32 and the model reads them in its type.
 */
public enum Precision {
  FLOAT32(TFloat32.class, TFloat32.class),
  FLOAT64(TFloat64.class, TFloat64.class),
  BFLOAT16(TFloat32.class, TBfloat16.class),
  FLOAT16(TFloat32.class, TFloat16.class);

  private final Class<? extends TFloating> type;
  private final Class<? extends TFloating> compute;

  Precision(Class<? extends TFloating> type, Class<? extends TFloating> compute) {
    this.type = type;
    this.compute = compute;
  }

  /** The type of the weights, the loss, the gradients and the optimizer: the graph's type. */
  public Class<? extends TFloating> type() {
    return type;
  }

  /** The type the model's matmuls and activations run in. */
  public Class<? extends TFloating> compute() {
    return compute;
  }

  /** Whether the model computes in another type than its weights are kept in. */
  public boolean mixed() {
    return compute != type;
  }

  /**
   * Whether the loss is scaled before differentiation and the gradients after ({@link LossScale}).
   */
  public boolean lossScaled() {
    return compute == TFloat16.class;
  }

  /**
   * The precision a command-line word names: {@code fp32}/{@code float32}, {@code fp64}/{@code
   * float64}, {@code bf16}/{@code bfloat16} or {@code fp16}/{@code float16}.
   */
  public static Precision parse(String word) {
    return switch (word.toLowerCase(Locale.ROOT)) {
      case "fp32", "float32" -> FLOAT32;
      case "fp64", "float64" -> FLOAT64;
      case "bf16", "bfloat16" -> BFLOAT16;
      case "fp16", "float16" -> FLOAT16;
      default ->
          throw new IllegalArgumentException(
              "--precision must be fp32, bf16, fp16 or fp64, got '" + word + "'");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
