package engram.models;

import engram.cells.EngramCellConfig;
import java.util.List;

/**
 * Architecture of a model: for {@code enn}, {@code rnn}, {@code gru} and {@code lstm} a {@link
 * SequenceClassifier} (a stack of recurrent layers of widths {@code units}, dropout on the last
 * output, a dense softmax head); for {@code hmem} an {@link HMemClassifier}.
 *
 * @param type the model
 * @param units layer widths, bottom first (the ENN has exactly one layer; H-Mem none)
 * @param dropout rate applied to the last layer's output during training (Keras Dropout)
 * @param engram ENN cell options; for {@code enn} only
 * @param hmem H-Mem options; for {@code hmem} only
 */
public record ModelConfig(
    ModelType type, List<Integer> units, double dropout, EngramCellConfig engram, HMemConfig hmem) {

  public ModelConfig {
    if (type == null) {
      throw new IllegalArgumentException("model.type is required: one of enn, rnn, gru, lstm");
    }
    if (type == ModelType.HMEM) {
      if (units != null && !units.isEmpty()) {
        throw new IllegalArgumentException(
            "model.units does not apply to hmem; set hmem.embeddingSize and hmem.memorySize");
      }
      if (dropout != 0) {
        throw new IllegalArgumentException("model.dropout does not apply to hmem, got " + dropout);
      }
      units = List.of();
      if (hmem == null) {
        hmem = HMemConfig.defaults();
      }
    } else {
      if (units == null || units.isEmpty()) {
        throw new IllegalArgumentException("model.units must list at least one layer width");
      }
      units = List.copyOf(units);
      for (int u : units) {
        if (u <= 0) {
          throw new IllegalArgumentException("model.units must all be > 0, got " + units);
        }
      }
      if (hmem != null) {
        throw new IllegalArgumentException(
            "model.hmem applies only to type hmem, but type is " + type + "; remove it");
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
    return new ModelConfig(ModelType.ENN, List.of(128), 0.3, EngramCellConfig.defaults(), null);
  }

  /** The notebook baselines: two layers of 128 and 64 units, no dropout. */
  public static ModelConfig baselineDefaults(ModelType type) {
    return new ModelConfig(type, List.of(128, 64), 0.0, null, null);
  }

  /** The released H-Mem's bAbI model: d 80, m 100, 3 queries, learned encoding. */
  public static ModelConfig hmemDefaults() {
    return new ModelConfig(ModelType.HMEM, List.of(), 0.0, null, HMemConfig.defaults());
  }
}
