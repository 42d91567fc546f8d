package engram.models;

import engram.cells.EngramCellConfig;
import java.util.List;

/**
 * Architecture of a {@link SequenceClassifier}: a stack of recurrent layers of widths {@code
 * units}, dropout on the last output, a dense softmax head.
 *
 * @param type the cell of every layer
 * @param units layer widths, bottom first (the ENN has exactly one layer)
 * @param dropout rate applied to the last layer's output during training (Keras Dropout)
 * @param engram ENN cell options; required for {@code enn}, must be absent otherwise
 */
public record ModelConfig(
    ModelType type, List<Integer> units, double dropout, EngramCellConfig engram) {

  public ModelConfig {
    if (type == null) {
      throw new IllegalArgumentException("model.type is required: one of enn, rnn, gru, lstm");
    }
    if (units == null || units.isEmpty()) {
      throw new IllegalArgumentException("model.units must list at least one layer width");
    }
    units = List.copyOf(units);
    for (int u : units) {
      if (u <= 0) {
        throw new IllegalArgumentException("model.units must all be > 0, got " + units);
      }
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("model.dropout must be in [0, 1), got " + dropout);
    }
    if (type == ModelType.ENN) {
      if (units.size() != 1) {
        throw new IllegalArgumentException(
            "model.units for enn must be a single width H (one Engram layer), got " + units);
      }
      if (engram == null) {
        engram = EngramCellConfig.defaults();
      }
    } else if (engram != null) {
      throw new IllegalArgumentException(
          "model.engram applies only to type enn, but type is " + type + "; remove it");
    }
  }

  /** The ENN classifier of the reference notebooks: H=128, M=64, dropout 0.3. */
  public static ModelConfig ennDefaults() {
    return new ModelConfig(ModelType.ENN, List.of(128), 0.3, EngramCellConfig.defaults());
  }

  /** The notebook baselines: two layers of 128 and 64 units, no dropout. */
  public static ModelConfig baselineDefaults(ModelType type) {
    return new ModelConfig(type, List.of(128, 64), 0.0, null);
  }
}
