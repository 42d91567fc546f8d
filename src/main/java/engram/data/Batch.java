package engram.data;

import java.util.List;

/**
 * Reusable host buffers for one mini-batch: one array per input ({@code float[]} or {@code int[]},
 * batch-major) and the targets. {@link Batches#fill} overwrites them; {@link #size()} says how many
 * examples are valid. When the examples already sit in device memory, {@link Batches#fill(int,
 * Batch, int)} names them by row instead ({@link #rows()}) and the buffers are left alone.
 */
public final class Batch {

  private final List<Feature> inputs;
  private final Object[] buffers;
  private final Target target;
  private final int[] targets;
  private final float[] targetValues;
  private final int[] rows;
  private boolean rowsOnly;
  private int size;

  private Batch(List<Feature> inputs, Target target, int capacity) {
    this.rows = new int[capacity];
    this.inputs = List.copyOf(inputs);
    this.buffers = new Object[inputs.size()];
    for (int i = 0; i < buffers.length; i++) {
      Feature f = inputs.get(i);
      int n = capacity * f.size();
      buffers[i] = f.kind() == Feature.Kind.FLOAT ? new float[n] : new int[n];
    }
    this.target = target;
    boolean values = target.kind() == Target.Kind.VALUES;
    this.targets = new int[values ? 0 : capacity * target.size()];
    this.targetValues = new float[values ? capacity * target.size() : 0];
  }

  /** Buffers for up to {@code capacity} examples of {@code data}. */
  public static Batch forDataset(Dataset data, int capacity) {
    return new Batch(data.inputs(), data.target(), capacity);
  }

  public List<Feature> inputs() {
    return inputs;
  }

  /** The buffer of FLOAT input {@code i}. */
  public float[] floats(int i) {
    return (float[]) buffers[i];
  }

  /** The buffer of INT input {@code i}. */
  public int[] ints(int i) {
    return (int[]) buffers[i];
  }

  public Target target() {
    return target;
  }

  /** The class targets, {@code target().size()} per example. */
  public int[] targets() {
    return targets;
  }

  /** The float targets of a {@link Target.Kind#VALUES} target. */
  public float[] targetValues() {
    return targetValues;
  }

  /** Number of valid examples. */
  public int size() {
    return size;
  }

  /**
   * With {@link #rowsOnly()}, the rows of the device-resident store that hold the {@link #size()}
   * examples; else stale.
   */
  public int[] rows() {
    return rows;
  }

  /** Whether this batch names rows of a device-resident store instead of holding the examples. */
  public boolean rowsOnly() {
    return rowsOnly;
  }

  void setSize(int size, boolean rowsOnly) {
    this.size = size;
    this.rowsOnly = rowsOnly;
  }
}
