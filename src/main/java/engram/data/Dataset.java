package engram.data;

import java.util.List;

/**
 * A labelled classification dataset held in memory: {@link #size()} examples, each made of the
 * tensors {@link #inputs()} describes, and one class label.
 *
 * <p>The trainer reads examples only through the copy methods, so a dataset may keep compact raw
 * data (MNIST keeps its bytes) and convert on the way out.
 */
public interface Dataset {

  /** Number of examples. */
  int size();

  /** Number of classes; labels are in {@code [0, numClasses)}. */
  int numClasses();

  /** Class label of example {@code index}. */
  int label(int index);

  /** The input tensors of each example, in a fixed order. */
  List<Feature> inputs();

  /**
   * Copies FLOAT input {@code input} of example {@code index} into {@code dst} at {@code offset}.
   */
  default void copyFloats(int input, int index, float[] dst, int offset) {
    throw new UnsupportedOperationException(inputs().get(input) + " is not a FLOAT input");
  }

  /** Copies INT input {@code input} of example {@code index} into {@code dst} at {@code offset}. */
  default void copyInts(int input, int index, int[] dst, int offset) {
    throw new UnsupportedOperationException(inputs().get(input) + " is not an INT input");
  }
}
