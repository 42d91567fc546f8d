package engram.data;

import java.util.List;

/**
 * The examples of another dataset at the given indices, in that order. A subset of stream windows
 * is a set of independent windows: it carries no state ({@link #streams()} is 0).
 */
public final class Subset implements Dataset {

  private final Dataset base;
  private final int[] indices;

  public Subset(Dataset base, int[] indices) {
    for (int i : indices) {
      if (i < 0 || i >= base.size()) {
        throw new IllegalArgumentException(
            "subset index " + i + " out of range [0, " + base.size() + ")");
      }
    }
    this.base = base;
    this.indices = indices.clone();
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public int numClasses() {
    return base.numClasses();
  }

  @Override
  public int label(int index) {
    return base.label(indices[index]);
  }

  @Override
  public Target target() {
    return base.target();
  }

  @Override
  public void copyTargets(int index, int[] dst, int offset) {
    base.copyTargets(indices[index], dst, offset);
  }

  @Override
  public void copyTargetValues(int index, float[] dst, int offset) {
    base.copyTargetValues(indices[index], dst, offset);
  }

  @Override
  public List<Feature> inputs() {
    return base.inputs();
  }

  @Override
  public void copyFloats(int input, int index, float[] dst, int offset) {
    base.copyFloats(input, indices[index], dst, offset);
  }

  @Override
  public void copyInts(int input, int index, int[] dst, int offset) {
    base.copyInts(input, indices[index], dst, offset);
  }
}
