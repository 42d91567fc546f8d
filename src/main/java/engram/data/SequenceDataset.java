package engram.data;

import java.util.List;

/**
 * A dataset of float sequences: one input {@code x} of {@link #timeSteps()} steps of {@link
 * #features()} floats per example.
 */
public interface SequenceDataset extends Dataset {

  /** Name of the single input. */
  String INPUT = "x";

  /** Sequence length T. */
  int timeSteps();

  /** Features per step D. */
  int features();

  /**
   * Copies example {@code index} into {@code dst[offset .. offset + T*D)}, step-major (the D
   * features of step 0, then step 1, ...).
   */
  void copyExample(int index, float[] dst, int offset);

  @Override
  default List<Feature> inputs() {
    return List.of(new Feature(INPUT, Feature.Kind.FLOAT, new int[] {timeSteps(), features()}));
  }

  @Override
  default void copyFloats(int input, int index, float[] dst, int offset) {
    copyExample(index, dst, offset);
  }
}
