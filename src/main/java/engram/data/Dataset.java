package engram.data;

import java.util.List;

/**
 * A dataset held in memory: {@link #size()} examples, each made of the tensors {@link #inputs()}
 * describes and a {@link #target()} (a class label unless the dataset says otherwise).
 *
 * <p>The trainer reads examples only through the copy methods, so a dataset may keep compact raw
 * data (MNIST keeps its bytes) and convert on the way out.
 */
public interface Dataset {

  /** Number of examples. */
  int size();

  /** Number of classes; class targets are in {@code [0, numClasses)}. */
  int numClasses();

  /** Class label of example {@code index}, for datasets with a {@link Target.Kind#CLASS} target. */
  int label(int index);

  /** What each example is scored against; by default its class label. */
  default Target target() {
    return Target.classOf(numClasses());
  }

  /** Copies the class target(s) of example {@code index} into {@code dst} at {@code offset}. */
  default void copyTargets(int index, int[] dst, int offset) {
    dst[offset] = label(index);
  }

  /** Copies the float target of example {@code index} into {@code dst} at {@code offset}. */
  default void copyTargetValues(int index, float[] dst, int offset) {
    throw new UnsupportedOperationException(target() + " is not a float target");
  }

  /**
   * 0 for independent examples. A positive n says the examples are the windows of n parallel
   * streams, laid out window-major (example {@code w*n + s} is window w of stream s): they are read
   * in order, n at a time, and a recurrent model carries its state from each window to the next
   * (stateful truncated BPTT).
   */
  default int streams() {
    return 0;
  }

  /** The batch size a pass reads this data in: one window of every stream, else {@code asked}. */
  default int batchSize(int asked) {
    return streams() > 0 ? streams() : asked;
  }

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
