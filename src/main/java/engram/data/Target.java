package engram.data;

import java.util.Arrays;

/**
 * What a dataset's examples are scored against, described like an input {@link Feature}: a class
 * per example ({@code []}), a class per step ({@code [T]}, a language model's next tokens), or
 * floats (a regression). Class targets below 0 ({@link #IGNORE}) are padding that no loss or metric
 * counts.
 *
 * @param classes number of classes; class targets are in {@code [0, classes)}; 0 for values
 */
public record Target(Kind kind, int[] shape, int classes) {

  /** What the target holds. */
  public enum Kind {
    /** One class per example, {@code int []}. */
    CLASS,
    /** One class per time step, {@code int [T]}. */
    CLASS_PER_STEP,
    /** Floats of any shape. */
    VALUES
  }

  /** A class target of this value is padding: not scored. */
  public static final int IGNORE = -1;

  public Target {
    shape = shape.clone();
    if (kind != Kind.VALUES && classes < 2) {
      throw new IllegalArgumentException("a class target needs >= 2 classes, got " + classes);
    }
    if (kind == Kind.CLASS_PER_STEP && shape.length != 1) {
      throw new IllegalArgumentException("a per-step class target is [T], got " + this);
    }
  }

  /** One class per example out of {@code classes}. */
  public static Target classOf(int classes) {
    return new Target(Kind.CLASS, new int[0], classes);
  }

  /** One class out of {@code classes} per each of {@code steps} steps. */
  public static Target classPerStep(int steps, int classes) {
    return new Target(Kind.CLASS_PER_STEP, new int[] {steps}, classes);
  }

  /** Floats of {@code shape} per example. */
  public static Target values(int... shape) {
    return new Target(Kind.VALUES, shape, 0);
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Outputs the model emits per step scored: the classes' logits, or one per float target. */
  public int outputs() {
    return kind == Kind.VALUES ? size() : classes;
  }

  /** Elements per example. */
  public int size() {
    return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Target t
        && kind == t.kind
        && classes == t.classes
        && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * kind.hashCode() + classes) + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return kind + " " + Arrays.toString(shape) + (classes > 0 ? " of " + classes : "");
  }
}
