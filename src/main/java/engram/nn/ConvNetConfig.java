package engram.nn;

import java.util.List;

/**
 * A frame encoder: blocks of 3x3 convolutions (ELU, each followed by BatchNorm), 2x2 max pooling
 * and dropout, flattened into a dense feature layer (ReLU, no bias) with BatchNorm and dropout.
 *
 * @param channels filters of each block, first block first
 * @param dropouts dropout rate after each block's pooling
 * @param convsPerBlock convolutions per block (2 in ConvNet14)
 * @param features width of the dense feature layer (H-Mem's {@code dense_size}, 128)
 * @param featureDropout dropout after the feature layer's BatchNorm (0.3)
 * @param l2 Keras {@code l2} penalty on every convolution and feature kernel (1e-3)
 */
public record ConvNetConfig(
    List<Integer> channels,
    List<Double> dropouts,
    int convsPerBlock,
    int features,
    double featureDropout,
    double l2) {

  public ConvNetConfig {
    if (channels == null || channels.isEmpty()) {
      throw new IllegalArgumentException("encoder.channels must list at least one block's filters");
    }
    channels = List.copyOf(channels);
    dropouts = dropouts == null ? List.of() : List.copyOf(dropouts);
    if (dropouts.isEmpty()) {
      dropouts = java.util.Collections.nCopies(channels.size(), 0.0);
    }
    if (dropouts.size() != channels.size()) {
      throw new IllegalArgumentException(
          "encoder.dropouts needs one rate per block ("
              + channels.size()
              + "), got "
              + dropouts.size());
    }
    for (int c : channels) {
      if (c <= 0) {
        throw new IllegalArgumentException("encoder.channels must be > 0, got " + channels);
      }
    }
    for (double d : dropouts) {
      if (!(d >= 0 && d < 1)) {
        throw new IllegalArgumentException("encoder.dropouts must be in [0, 1), got " + dropouts);
      }
    }
    convsPerBlock = convsPerBlock == 0 ? 2 : convsPerBlock;
    features = features == 0 ? 128 : features;
    if (convsPerBlock < 1 || features < 1 || !(featureDropout >= 0 && featureDropout < 1)) {
      throw new IllegalArgumentException(
          "encoder.convsPerBlock and encoder.features must be >= 1 and featureDropout in [0, 1);"
              + " got "
              + convsPerBlock
              + ", "
              + features
              + ", "
              + featureDropout);
    }
    if (!(l2 >= 0)) {
      throw new IllegalArgumentException("encoder.l2 must be >= 0, got " + l2);
    }
  }

  /**
   * The released code's ConvNet14 (models/convnet14.py, without top) and feature layer: 32, 64,
   * 128, 256, 512 filters, two convolutions per block, dropout 0.1, 0.1, 0.2, 0.3, 0.3; Dense(128)
   * and dropout 0.3; L2 1e-3.
   */
  public static ConvNetConfig convNet14() {
    return new ConvNetConfig(
        List.of(32, 64, 128, 256, 512), List.of(0.1, 0.1, 0.2, 0.3, 0.3), 2, 128, 0.3, 1e-3);
  }
}
