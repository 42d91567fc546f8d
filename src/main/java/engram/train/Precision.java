package engram.train;

import java.util.Locale;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * The floating type a training graph computes in: float32 for real runs, float64 where results must
 * be compared to 1e-12 (several replicas against one device, gradients against finite differences).
 * Inputs stay float32 and are widened inside the model.
 */
public enum Precision {
  FLOAT32(TFloat32.class),
  FLOAT64(TFloat64.class);

  private final Class<? extends TFloating> type;

  Precision(Class<? extends TFloating> type) {
    this.type = type;
  }

  /** The TensorFlow type of the graph's weights, activations, loss and gradients. */
  public Class<? extends TFloating> type() {
    return type;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
