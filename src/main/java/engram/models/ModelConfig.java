package engram.models;

import engram.cells.EngramCellConfig;
import engram.nn.ConvNetConfig;
import java.util.List;

/**
 * Architecture of a model: for {@code enn}, {@code rnn}, {@code gru} and {@code lstm} a {@link
 * SequenceModel} (a stack of recurrent layers of widths {@code units}, dropout on the last output,
 * a dense softmax head); for {@code hmem} an {@link HMemClassifier}.
 *
 * @param type the model
 * @param units layer widths, bottom first (the ENN has exactly one layer; H-Mem none)
 * @param dropout rate applied to the last layer's output during training (Keras Dropout)
 * @param engram ENN cell options; for {@code enn} only
 * @param hmem H-Mem options; for {@code hmem} only
 * @param head sequence models: {@code last} (logits from the last step: a classifier, the default)
 *     or {@code every} (logits at every step: a language model)
 * @param embedding sequence models: width of a token embedding in front of the first layer (the
 *     input is then token ids and the vocabulary is the output's); 0 = the input is features
 * @param tied the every-step head reuses the embedding as its kernel ({@code W = E^T}); needs the
 *     last layer's width to equal {@code embedding}
 * @param encoder a frame encoder for image inputs (the association task): H-Mem then writes encoded
 *     frames ({@link HMemImageModel}), a sequence model reads them ({@link FrameSequenceModel});
 *     null for every other dataset
 */
public record ModelConfig(
    ModelType type,
    List<Integer> units,
    double dropout,
    EngramCellConfig engram,
    HMemConfig hmem,
    String head,
    int embedding,
    boolean tied,
    ConvNetConfig encoder) {

  /** Head on the last step. */
  public static final String LAST = "last";

  /** Head on every step. */
  public static final String EVERY = "every";

  /** A classifier: head on the last step, no embedding. */
  public ModelConfig(
      ModelType type,
      List<Integer> units,
      double dropout,
      EngramCellConfig engram,
      HMemConfig hmem) {
    this(type, units, dropout, engram, hmem, LAST, 0, false, null);
  }

  /** A model without a frame encoder. */
  public ModelConfig(
      ModelType type,
      List<Integer> units,
      double dropout,
      EngramCellConfig engram,
      HMemConfig hmem,
      String head,
      int embedding,
      boolean tied) {
    this(type, units, dropout, engram, hmem, head, embedding, tied, null);
  }

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
    head = head == null ? LAST : head.toLowerCase(java.util.Locale.ROOT);
    if (!head.equals(LAST) && !head.equals(EVERY)) {
      throw new IllegalArgumentException("model.head must be last or every, got '" + head + "'");
    }
    if (type == ModelType.HMEM && (!head.equals(LAST) || embedding != 0 || tied)) {
      throw new IllegalArgumentException(
          "model.head, model.embedding and model.tied apply to the sequence models, not hmem");
    }
    if (embedding < 0) {
      throw new IllegalArgumentException(
          "model.embedding must be >= 0 (0 = no embedding), got " + embedding);
    }
    if (tied
        && (embedding == 0 || !head.equals(EVERY) || units.get(units.size() - 1) != embedding)) {
      throw new IllegalArgumentException(
          "model.tied needs head every, an embedding, and a last layer as wide as it; got head "
              + head
              + ", embedding "
              + embedding
              + ", units "
              + units);
    }
    if (encoder != null) {
      if (embedding != 0 || !head.equals(LAST)) {
        throw new IllegalArgumentException(
            "model.encoder reads image frames: it takes no model.embedding and head last");
      }
      if (type == ModelType.HMEM && hmem.embeddingSize() != encoder.features()) {
        throw new IllegalArgumentException(
            "hmem.embeddingSize is the frame feature width with an encoder: set it to"
                + " encoder.features ("
                + encoder.features()
                + "), got "
                + hmem.embeddingSize());
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
