package engram.cells;

import java.util.Locale;

/**
 * Hyper-parameters of {@link EngramCell}, named and defaulted as tensorflow-engram 0.1.0's {@code
 * EngramCell(hidden_dim, memory_size, hebbian_lr=0.05, scale_factor=0.5, temperature=1.5,
 * use_layer_norm=True, sparsity_strength=0.1)}, plus the paper's options the package does not ship
 * (off by default, so the default cell is the reference). The width H is the model's {@code units}.
 *
 * @param memorySize M, number of memory slots
 * @param hebbianLr eta, rate of the Hebbian trace update
 * @param scaleFactor s, weight of the trace in the effective memory {@code Mem + s*Tr}
 * @param temperature softmax temperature before the sparsity division
 * @param useLayerNorm whether z and h pass through LayerNormalization(epsilon=1e-6)
 * @param sparsityStrength divides the temperature: {@code tau = temperature / (1 + 10*sparsity)};
 *     with {@code topK} also the share of slots kept, {@code k = ceil(M * sparsityStrength)}
 * @param trace {@code shared}: one {@code [M, H]} trace updated with the batch mean of the outer
 *     products (the reference); {@code example}: a {@code [B, M, H]} trace per example, updated
 *     with its own outer product, so no example depends on the rest of its batch
 * @param topK retrieve from the k best-matching slots only: every other attention weight is exactly
 *     zero (the paper's sparse retrieval; the prototype notebook's top-k softmax)
 * @param attentionPenalty a sparsity penalty on the attention added to the training loss: {@code
 *     none}, {@code l1} ({@code mean sum|A|}) or {@code entropy} ({@code mean -sum A log A}), the
 *     notebook's two regularizers, averaged over examples and steps
 * @param penaltyStrength the penalty's weight in the loss
 */
public record EngramCellConfig(
    int memorySize,
    double hebbianLr,
    double scaleFactor,
    double temperature,
    boolean useLayerNorm,
    double sparsityStrength,
    String trace,
    boolean topK,
    String attentionPenalty,
    double penaltyStrength) {

  /** The reference's shared trace. */
  public static final String SHARED = "shared";

  /** A trace per example. */
  public static final String EXAMPLE = "example";

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
    trace = trace == null ? SHARED : trace.toLowerCase(Locale.ROOT);
    if (!trace.equals(SHARED) && !trace.equals(EXAMPLE)) {
      throw new IllegalArgumentException(
          "engram.trace must be shared (the reference) or example, got '" + trace + "'");
    }
    if (topK && !(sparsityStrength > 0 && sparsityStrength <= 1)) {
      throw new IllegalArgumentException(
          "engram.topK keeps ceil(M * sparsityStrength) slots: set engram.sparsityStrength in"
              + " (0, 1], got "
              + sparsityStrength);
    }
    attentionPenalty =
        attentionPenalty == null ? "none" : attentionPenalty.toLowerCase(Locale.ROOT);
    if (!attentionPenalty.equals("none")
        && !attentionPenalty.equals("l1")
        && !attentionPenalty.equals("entropy")) {
      throw new IllegalArgumentException(
          "engram.attentionPenalty must be none, l1 or entropy, got '" + attentionPenalty + "'");
    }
    if (!(penaltyStrength >= 0)) {
      throw new IllegalArgumentException(
          "engram.penaltyStrength must be >= 0, got " + penaltyStrength);
    }
  }

  /** The reference cell: a shared trace, dense attention, no penalty. */
  public EngramCellConfig(
      int memorySize,
      double hebbianLr,
      double scaleFactor,
      double temperature,
      boolean useLayerNorm,
      double sparsityStrength) {
    this(
        memorySize,
        hebbianLr,
        scaleFactor,
        temperature,
        useLayerNorm,
        sparsityStrength,
        SHARED,
        false,
        "none",
        0);
  }

  /** The package defaults with {@code M = 64}. */
  public static EngramCellConfig defaults() {
    return new EngramCellConfig(64, 0.05, 0.5, 1.5, true, 0.1);
  }

  /** Effective softmax temperature, computed in double as Python does before the float32 cast. */
  public double tau() {
    return temperature / (1.0 + sparsityStrength * 10.0);
  }

  /** Slots kept by top-k retrieval, {@code ceil(M * sparsityStrength)}; M without top-k. */
  public int keptSlots() {
    return topK ? Math.max(1, (int) Math.ceil(memorySize * sparsityStrength - 1e-9)) : memorySize;
  }

  /** Whether each example has its own trace. */
  public boolean perExampleTrace() {
    return trace.equals(EXAMPLE);
  }

  /** Whether the attention penalty is on. */
  public boolean penalised() {
    return !attentionPenalty.equals("none") && penaltyStrength > 0;
  }

  public EngramCellConfig withMemorySize(int m) {
    return new EngramCellConfig(
        m,
        hebbianLr,
        scaleFactor,
        temperature,
        useLayerNorm,
        sparsityStrength,
        trace,
        topK,
        attentionPenalty,
        penaltyStrength);
  }

  public EngramCellConfig withHebbianLr(double eta) {
    return new EngramCellConfig(
        memorySize,
        eta,
        scaleFactor,
        temperature,
        useLayerNorm,
        sparsityStrength,
        trace,
        topK,
        attentionPenalty,
        penaltyStrength);
  }

  public EngramCellConfig withSparsityStrength(double s) {
    return new EngramCellConfig(
        memorySize,
        hebbianLr,
        scaleFactor,
        temperature,
        useLayerNorm,
        s,
        trace,
        topK,
        attentionPenalty,
        penaltyStrength);
  }

  public EngramCellConfig withUseLayerNorm(boolean ln) {
    return new EngramCellConfig(
        memorySize,
        hebbianLr,
        scaleFactor,
        temperature,
        ln,
        sparsityStrength,
        trace,
        topK,
        attentionPenalty,
        penaltyStrength);
  }

  /** The paper's options: the trace ({@code shared} or {@code example}), top-k, the penalty. */
  public EngramCellConfig withPaperOptions(
      String trace, boolean topK, String attentionPenalty, double penaltyStrength) {
    return new EngramCellConfig(
        memorySize,
        hebbianLr,
        scaleFactor,
        temperature,
        useLayerNorm,
        sparsityStrength,
        trace,
        topK,
        attentionPenalty,
        penaltyStrength);
  }
}
