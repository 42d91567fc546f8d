package engram.cells;

import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Scalars;
import engram.ops.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * The weights every Keras recurrent cell has, with Keras' names and default initializers: {@code
 * kernel [D, g*U]} (glorot_uniform), {@code recurrent_kernel [U, g*U]} (orthogonal) and {@code
 * bias}, for g gate blocks of U units. Subclasses hold only their equations.
 */
abstract class KerasCell<T extends TFloating> implements RecurrentCell<T> {

  final int inputSize;
  final int units;
  final Class<T> type;
  final Param<T> kernel;
  final Param<T> recurrentKernel;
  final Param<T> bias;

  KerasCell(
      ParamSet<T> params,
      int inputSize,
      int units,
      int gates,
      Initializer biasInitializer,
      long... biasShape) {
    if (inputSize <= 0 || units <= 0) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + " needs inputSize > 0 and units > 0, got "
              + inputSize
              + " and "
              + units);
    }
    this.inputSize = inputSize;
    this.units = units;
    this.type = params.type();
    this.kernel =
        params.create("kernel", Initializer.glorotUniform(), true, inputSize, (long) gates * units);
    this.recurrentKernel =
        params.create(
            "recurrent_kernel", Initializer.orthogonal(), true, units, (long) gates * units);
    this.bias = params.create("bias", biasInitializer, true, biasShape);
  }

  @Override
  public int inputSize() {
    return inputSize;
  }

  @Override
  public int outputSize() {
    return units;
  }

  /** A zero state tensor {@code [B, U]} (Keras' initial state). */
  Operand<T> zeros(Ops tf, Operand<TInt32> batchSize) {
    // Fill, not tf.zeros: that helper opens a sub-scope, which scans the whole graph.
    return tf.fill(Shapes.withBatch(tf, batchSize, units), Scalars.of(tf, 0.0, type));
  }
}
