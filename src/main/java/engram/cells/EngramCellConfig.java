package engram.cells;

/**
 * Hyper-parameters of {@link EngramCell}, named and defaulted as tensorflow-engram 0.1.0's {@code
 * EngramCell(hidden_dim, memory_size, hebbian_lr=0.05, scale_factor=0.5, temperature=1.5,
 * use_layer_norm=True, sparsity_strength=0.1)}. The width H is the model's {@code units}.
 *
 * @param memorySize M, number of memory slots
 * @param hebbianLr eta, rate of the Hebbian trace update
 * @param scaleFactor s, weight of the trace in the effective memory {@code Mem + s*Tr}
 * @param temperature softmax temperature before the sparsity division
 * @param useLayerNorm whether z and h pass through LayerNormalization(epsilon=1e-6)
 * @param sparsityStrength divides the temperature: {@code tau = temperature / (1 + 10*sparsity)};
 *     despite its name the reference adds no sparsity loss
 */
public record EngramCellConfig(
    int memorySize,
    double hebbianLr,
    double scaleFactor,
    double temperature,
    boolean useLayerNorm,
    double sparsityStrength) {

  public EngramCellConfig {
    if (memorySize <= 0) {
      throw new IllegalArgumentException("engram.memorySize must be > 0, got " + memorySize);
    }
    if (!(hebbianLr >= 0 && hebbianLr <= 1)) {
      throw new IllegalArgumentException("engram.hebbianLr must be in [0, 1], got " + hebbianLr);
    }
    if (!Double.isFinite(scaleFactor)) {
      throw new IllegalArgumentException("engram.scaleFactor must be finite, got " + scaleFactor);
    }
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("engram.temperature must be > 0, got " + temperature);
    }
    if (!(sparsityStrength >= 0)) {
      throw new IllegalArgumentException(
          "engram.sparsityStrength must be >= 0, got " + sparsityStrength);
    }
  }

  /** The package defaults with {@code M = 64}. */
  public static EngramCellConfig defaults() {
    return new EngramCellConfig(64, 0.05, 0.5, 1.5, true, 0.1);
  }

  /** Effective softmax temperature, computed in double as Python does before the float32 cast. */
  public double tau() {
    return temperature / (1.0 + sparsityStrength * 10.0);
  }

  public EngramCellConfig withMemorySize(int m) {
    return new EngramCellConfig(
        m, hebbianLr, scaleFactor, temperature, useLayerNorm, sparsityStrength);
  }

  public EngramCellConfig withHebbianLr(double eta) {
    return new EngramCellConfig(
        memorySize, eta, scaleFactor, temperature, useLayerNorm, sparsityStrength);
  }

  public EngramCellConfig withSparsityStrength(double s) {
    return new EngramCellConfig(memorySize, hebbianLr, scaleFactor, temperature, useLayerNorm, s);
  }

  public EngramCellConfig withUseLayerNorm(boolean ln) {
    return new EngramCellConfig(
        memorySize, hebbianLr, scaleFactor, temperature, ln, sparsityStrength);
  }
}
