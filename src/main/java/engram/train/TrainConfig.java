package engram.train;

/**
 * How a run trains. The optimizer is Keras 3 Adam (beta1 0.9, beta2 0.999, epsilon 1e-7).
 *
 * @param epochs passes over the training split
 * @param batchSize examples per step; the last batch of an epoch keeps the remainder
 * @param learningRate initial Adam learning rate
 * @param clipnorm Keras per-variable {@code clipnorm} (each gradient's L2 norm capped); 0 = off
 * @param seed weights, shuffles, dropout masks and ENN noise all derive from it
 * @param schedule learning-rate schedule
 * @param earlyStoppingPatience stop after this many epochs without a lower validation loss, as
 *     Keras {@code EarlyStopping(monitor="val_loss")}; 0 = never stop early
 * @param restoreBest evaluate the test set with the weights of the lowest validation loss (Keras
 *     {@code restore_best_weights=True}, which the ENN notebooks used); else the last weights
 * @param deterministicEval validate and test the ENN without random draws (zero initial state, no
 *     trace noise); false draws them as the reference does in {@code evaluate}
 * @param keepCheckpoints epoch checkpoints kept besides the best one
 * @param evalBatchSize batch size of validation and test runs; 0 = {@code batchSize}. It matters
 *     for the ENN, whose trace is a batch mean: predictions depend on the batch they are made in,
 *     so by default the model is evaluated in batches of the size it was trained with
 * @param monitor at the end of every epoch, record what the model's memory does on a fixed sample
 *     of validation examples (the ENN's Hebbian trace and attention, H-Mem's associations) into
 *     {@code trace-stats.csv} and {@code trace.h5}, for {@code engram viz}
 * @param bpttWindow back-propagate through sequence models in windows of this many steps, so the
 *     graph (and XLA's compile time) stays the size of one window however long the sequence; the
 *     gradient is still the whole sequence's unless {@code bpttTruncate}. 0 = the whole sequence in
 *     one graph, as Keras does
 * @param bpttTruncate with {@code bpttWindow}: gradients from the last window's steps only
 *     (truncated BPTT), about half the work of the exact windowed gradient
 * @param divergence when the loss counts as diverged and the run stops (exit code 4)
 * @param tensorboard write TensorBoard event files into {@code tensorboard/} (see {@link
 *     TensorBoardWriter})
 * @param precision the graph's floating type: {@code float32}, or {@code float64} for numerical
 *     checks (about 2x slower on CPUs, far slower on most GPUs)
 * @param dataOnDevice keep the splits on the graph's device and feed each step only its batch's row
 *     numbers: {@code auto} (on for a GPU when the data fit {@link #AUTO_RESIDENT_BYTES}), {@code
 *     on} or {@code off}. Same batches, same numbers; only where the examples wait changes
 * @param fetchEvery how often the host fetches the training loss and accuracy, which otherwise wait
 *     on the device: 0 = auto (when the progress display shows them, at least every {@link
 *     #AUTO_FETCH_STEPS} steps, and at an epoch's end), 1 = after every step, N = every N steps.
 *     The epoch's numbers are the same either way; listeners get a step's scores when they arrive
 */
public record TrainConfig(
    int epochs,
    int batchSize,
    double learningRate,
    double clipnorm,
    long seed,
    LrSchedule schedule,
    int earlyStoppingPatience,
    boolean restoreBest,
    boolean deterministicEval,
    int keepCheckpoints,
    int evalBatchSize,
    boolean monitor,
    int bpttWindow,
    boolean bpttTruncate,
    DivergenceRule divergence,
    boolean tensorboard,
    Precision precision,
    DataOnDevice dataOnDevice,
    int fetchEvery) {

  /** Whether the splits wait on the device ({@code train.dataOnDevice}). */
  public enum DataOnDevice {
    AUTO,
    ON,
    OFF;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The most data {@code dataOnDevice auto} puts on a GPU: 2 GiB. */
  public static final long AUTO_RESIDENT_BYTES = 2L << 30;

  /** The most steps {@code fetchEvery 0} lets the scores wait on the device. */
  public static final int AUTO_FETCH_STEPS = 256;

  public TrainConfig {
    if (fetchEvery < 0) {
      throw new IllegalArgumentException(
          "train.fetchEvery must be >= 0 (0 = auto, 1 = every step), got " + fetchEvery);
    }
    if (dataOnDevice == null) {
      dataOnDevice = DataOnDevice.AUTO;
    }
    if (divergence == null) {
      divergence = DivergenceRule.defaults();
    }
    if (precision == null) {
      precision = Precision.FLOAT32;
    }
    if (bpttWindow < 0) {
      throw new IllegalArgumentException(
          "train.bpttWindow must be >= 0 (0 = the whole sequence), got " + bpttWindow);
    }
    if (bpttTruncate && bpttWindow == 0) {
      throw new IllegalArgumentException(
          "train.bpttTruncate needs train.bpttWindow > 0: it cuts the gradient at window edges");
    }
    if (epochs <= 0) {
      throw new IllegalArgumentException("train.epochs must be > 0, got " + epochs);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("train.batchSize must be > 0, got " + batchSize);
    }
    if (!(learningRate > 0 && Double.isFinite(learningRate))) {
      throw new IllegalArgumentException("train.learningRate must be > 0, got " + learningRate);
    }
    if (!(clipnorm >= 0 && Double.isFinite(clipnorm))) {
      throw new IllegalArgumentException("train.clipnorm must be >= 0 (0 = off), got " + clipnorm);
    }
    if (schedule == null) {
      schedule = LrSchedule.constant();
    }
    if (earlyStoppingPatience < 0) {
      throw new IllegalArgumentException(
          "train.earlyStoppingPatience must be >= 0 (0 = off), got " + earlyStoppingPatience);
    }
    if (evalBatchSize < 0) {
      throw new IllegalArgumentException(
          "train.evalBatchSize must be >= 0 (0 = batchSize), got " + evalBatchSize);
    }
    if (keepCheckpoints < 1) {
      throw new IllegalArgumentException(
          "train.keepCheckpoints must be >= 1, got " + keepCheckpoints);
    }
  }

  /** Adam 1e-3 with clipnorm 1, batch 128, 15 epochs, seed 42: the ENN notebooks' setting. */
  public static TrainConfig defaults() {
    return new TrainConfig(
        15,
        128,
        1e-3,
        1.0,
        42,
        LrSchedule.constant(),
        0,
        false,
        true,
        2,
        0,
        false,
        0,
        false,
        DivergenceRule.defaults(),
        true,
        Precision.FLOAT32,
        DataOnDevice.AUTO,
        0);
  }

  /**
   * The released H-Mem's bAbI recipe: Adam 3e-3, x0.85 every 20 epochs, batch 128, 100 epochs, no
   * gradient clipping (TensorFlow 2.1 ignored the code's clipnorm=20 under {@code fit}; set
   * clipnorm 20 for the intended per-variable clipping), last weights for the test.
   */
  public static TrainConfig hmemDefaults() {
    return new TrainConfig(
        100,
        128,
        3e-3,
        0,
        42,
        LrSchedule.step(0.85, 20),
        0,
        false,
        true,
        2,
        0,
        false,
        0,
        false,
        DivergenceRule.defaults(),
        true,
        Precision.FLOAT32,
        DataOnDevice.AUTO,
        0);
  }

  /** Slots a training graph keeps for scores waiting on the device; 0 = every step fetches. */
  public int scoreSlots() {
    return fetchEvery == 1 ? 0 : fetchEvery == 0 ? AUTO_FETCH_STEPS : fetchEvery;
  }

  /** How the training step back-propagates through time. */
  public Bptt bptt() {
    return new Bptt(bpttWindow, bpttTruncate);
  }

  /** The batch size validation and test runs use. */
  public int effectiveEvalBatchSize() {
    return evalBatchSize == 0 ? batchSize : evalBatchSize;
  }
}
