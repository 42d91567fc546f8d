package engram.models;

import engram.cells.NoiseSource;
import engram.ops.SeedStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * A model built in a reduced type (bfloat16) on a mixed-precision {@link engram.nn.ParamSet}, seen
 * by the trainer as a float32 model: float inputs go in cast to the reduced type, outputs, memory
 * and penalties come out cast to float32. The loss, the gradients (which reach the float32
 * variables through the casts) and Adam therefore stay float32, as Keras' {@code mixed_bfloat16}
 * policy keeps them.
 */
public final class MixedPrecisionModel<R extends TFloating> implements Model<TFloat32> {

  private final Model<R> inner;
  private final Class<R> compute;

  public MixedPrecisionModel(Model<R> inner, Class<R> compute) {
    this.inner = inner;
    this.compute = compute;
  }

  @Override
  public Forward<TFloat32> forward(
      Ops tf,
      Map<String, Operand<?>> inputs,
      boolean training,
      NoiseSource noise,
      SeedStream seeds) {
    Map<String, Operand<?>> reduced = new LinkedHashMap<>();
    inputs.forEach(
        (name, x) ->
            reduced.put(name, x.type() == TFloat32.class ? tf.dtypes.cast(x, compute) : x));
    Forward<R> f = inner.forward(tf, reduced, training, noise, seeds);
    Map<String, Operand<TFloat32>> memory = new LinkedHashMap<>();
    f.memory().forEach((name, m) -> memory.put(name, widen(tf, m)));
    return new Forward<>(
        widen(tf, f.outputs()),
        f.updates(),
        memory,
        f.penalty() == null ? null : widen(tf, f.penalty()));
  }

  @Override
  public Operand<TFloat32> penalty(Ops tf) {
    Operand<R> p = inner.penalty(tf);
    return p == null ? null : widen(tf, p);
  }

  private static Operand<TFloat32> widen(Ops tf, Operand<? extends TFloating> x) {
    return tf.dtypes.cast(x, TFloat32.class);
  }
}
