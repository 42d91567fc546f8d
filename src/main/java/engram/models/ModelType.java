package engram.models;

import java.util.Arrays;
import java.util.Locale;

/** The recurrent cell a model is built from. */
public enum ModelType {
  /** Engram Neural Network: {@link engram.cells.EngramCell}. */
  ENN,
  /** Keras SimpleRNN. */
  RNN,
  /** Keras GRU (reset_after). */
  GRU,
  /** Keras LSTM. */
  LSTM,
  /** Hebbian Memory Network for question answering: {@link HMemClassifier}. */
  HMEM;

  /** Lower-case name used in presets and on the command line. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code enn|rnn|gru|lstm}, case-insensitively. */
  public static ModelType parse(String s) {
    for (ModelType t : values()) {
      if (t.name().equalsIgnoreCase(s)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown model '" + s + "'; expected one of " + Arrays.toString(values()));
  }
}
