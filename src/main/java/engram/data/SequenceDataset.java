package engram.data;

/**
 * A labelled sequence-classification dataset held in memory: {@link #size()} examples, each a
 * sequence of {@link #timeSteps()} steps of {@link #features()} floats, with one class label.
 *
 * <p>The trainer only ever reads examples through {@link #copyExample}, so a dataset can keep its
 * raw bytes and convert on the fly (MNIST stays 47 MB of pixels instead of 188 MB of floats).
 */
public interface SequenceDataset {

  /** Number of examples. */
  int size();

  /** Sequence length T. */
  int timeSteps();

  /** Features per step D. */
  int features();

  /** Number of classes; labels are in {@code [0, numClasses)}. */
  int numClasses();

  /**
   * Copies example {@code index} into {@code dst[offset .. offset + T*D)}, step-major (the D
   * features of step 0, then step 1, ...).
   */
  void copyExample(int index, float[] dst, int offset);

  /** Class label of example {@code index}. */
  int label(int index);
}
