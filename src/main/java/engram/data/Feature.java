package engram.data;

import java.util.Arrays;

/**
 * One input tensor of every example: its name (the model's input name), element kind and
 * per-example shape, e.g. {@code x FLOAT [28, 28]} or {@code story INT [88, 7]}.
 */
public record Feature(String name, Kind kind, int[] shape) {

  /** Element type. */
  public enum Kind {
    FLOAT,
    INT
  }

  public Feature {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Elements per example. */
  public int size() {
    return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Feature f
        && name.equals(f.name)
        && kind == f.kind
        && Arrays.equals(shape, f.shape);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + kind.hashCode()) + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + kind + " " + Arrays.toString(shape);
  }
}
