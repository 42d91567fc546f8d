package engram.data;

/** The examples of another dataset at the given indices, in that order. */
public final class Subset implements SequenceDataset {

  private final SequenceDataset base;
  private final int[] indices;

  public Subset(SequenceDataset base, int[] indices) {
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
  public int timeSteps() {
    return base.timeSteps();
  }

  @Override
  public int features() {
    return base.features();
  }

  @Override
  public int numClasses() {
    return base.numClasses();
  }

  @Override
  public void copyExample(int index, float[] dst, int offset) {
    base.copyExample(indices[index], dst, offset);
  }

  @Override
  public int label(int index) {
    return base.label(indices[index]);
  }
}
