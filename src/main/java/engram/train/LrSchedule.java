package engram.train;

import java.util.Locale;

/**
 * Learning-rate schedule, applied at epoch ends (the rate is fed to the graph every step, so no
 * rebuild is needed).
 *
 * <ul>
 *   <li>{@code constant}: the initial rate throughout.
 *   <li>{@code step}: multiply by {@code factor} every {@code every} epochs (H-Mem: 0.85 / 20).
 *   <li>{@code plateau}: Keras {@code ReduceLROnPlateau(monitor="val_loss", factor, patience,
 *       min_lr, min_delta=1e-4)}: when validation loss has not improved by 1e-4 for {@code
 *       patience} epochs, multiply by {@code factor}, not below {@code minLearningRate}.
 *   <li>{@code exponential}: the initial rate for the first {@code start} epochs, then {@code lr(e)
 *       = lr_0 exp(factor (start - e))} for 0-based epoch e (H-Mem's image task: start 50, factor
 *       0.1).
 * </ul>
 */
public record LrSchedule(
    Kind kind, double factor, int every, int patience, double minLearningRate, int start) {

  /** The schedule's rule. */
  public enum Kind {
    CONSTANT,
    STEP,
    PLATEAU,
    EXPONENTIAL;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Keras' ReduceLROnPlateau min_delta. */
  static final double PLATEAU_MIN_DELTA = 1e-4;

  /** A schedule without a start epoch (all but exponential). */
  public LrSchedule(Kind kind, double factor, int every, int patience, double minLearningRate) {
    this(kind, factor, every, patience, minLearningRate, 0);
  }

  public LrSchedule {
    if (kind == null) {
      kind = Kind.CONSTANT;
    }
    // Keys of other kinds (a preset merged over defaults of another kind keeps them) mean nothing.
    every = kind == Kind.STEP ? every : 0;
    patience = kind == Kind.PLATEAU ? patience : 0;
    minLearningRate = kind == Kind.PLATEAU ? minLearningRate : 0;
    start = kind == Kind.EXPONENTIAL ? start : 0;
    if (kind != Kind.CONSTANT && !(factor > 0 && factor < 1)) {
      throw new IllegalArgumentException(
          "train.schedule.factor must be in (0, 1) for a " + kind + " schedule, got " + factor);
    }
    if (kind == Kind.EXPONENTIAL && start < 0) {
      throw new IllegalArgumentException("train.schedule.start must be >= 0 epochs, got " + start);
    }
    if (kind == Kind.STEP && every <= 0) {
      throw new IllegalArgumentException("train.schedule.every must be > 0 epochs, got " + every);
    }
    if (kind == Kind.PLATEAU && patience <= 0) {
      throw new IllegalArgumentException(
          "train.schedule.patience must be > 0 epochs, got " + patience);
    }
    if (!(minLearningRate >= 0)) {
      throw new IllegalArgumentException(
          "train.schedule.minLearningRate must be >= 0, got " + minLearningRate);
    }
  }

  public static LrSchedule constant() {
    return new LrSchedule(Kind.CONSTANT, 0, 0, 0, 0);
  }

  /** The ENN notebooks' ReduceLROnPlateau(factor=0.5, patience=2, min_lr=1e-5). */
  public static LrSchedule plateau(double factor, int patience, double minLearningRate) {
    return new LrSchedule(Kind.PLATEAU, factor, 0, patience, minLearningRate);
  }

  public static LrSchedule step(double factor, int every) {
    return new LrSchedule(Kind.STEP, factor, every, 0, 0);
  }

  /**
   * H-Mem's image-task schedule: constant for {@code start} epochs, then exp(-factor) per epoch.
   */
  public static LrSchedule exponential(double factor, int start) {
    return new LrSchedule(Kind.EXPONENTIAL, factor, 0, 0, 0, start);
  }

  /** Mutable progress of a plateau schedule; part of the checkpoint. */
  public record PlateauState(double best, int epochsWithoutImprovement) {
    public static PlateauState initial() {
      return new PlateauState(Double.POSITIVE_INFINITY, 0);
    }
  }

  /** Rate after {@code epoch} (1-based) finished, and the plateau state to carry on. */
  public record Decision(double learningRate, PlateauState plateau) {}

  /** Decides the rate for the epoch after {@code epoch}. */
  public Decision next(int epoch, double rate, double validationLoss, PlateauState state) {
    return switch (kind) {
      case CONSTANT -> new Decision(rate, state);
      case STEP -> new Decision(epoch % every == 0 ? rate * factor : rate, state);
      case PLATEAU -> plateau(rate, validationLoss, state);
      // The next epoch is e = epoch (0-based); from e = start + 1 on each epoch multiplies by
      // exp(-factor), which gives lr_0 exp(factor (start - e)).
      case EXPONENTIAL -> new Decision(epoch > start ? rate * Math.exp(-factor) : rate, state);
    };
  }

  private Decision plateau(double rate, double validationLoss, PlateauState state) {
    if (validationLoss < state.best() - PLATEAU_MIN_DELTA) {
      return new Decision(rate, new PlateauState(validationLoss, 0));
    }
    int wait = state.epochsWithoutImprovement() + 1;
    if (wait >= patience) {
      // Keras compares the old rate with float32(min_lr) before reducing.
      double reduced =
          (float) rate > (float) minLearningRate ? Math.max(rate * factor, minLearningRate) : rate;
      return new Decision(reduced, new PlateauState(state.best(), 0));
    }
    return new Decision(rate, new PlateauState(state.best(), wait));
  }
}
