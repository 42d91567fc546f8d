package engram.train;

import engram.data.Batch;
import engram.data.Feature;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A dataset's inputs ({@link Feature}s) as graph placeholders and fed tensors, the same way for the
 * training graph, the exported inference graph and the loaded SavedModel.
 */
public final class Inputs {

  private Inputs() {}

  /** Per-example shapes by input name, as {@code Models.create} takes them. */
  public static Map<String, long[]> shapes(List<Feature> inputs) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    inputs.forEach(f -> shapes.put(f.name(), Arrays.stream(f.shape()).asLongStream().toArray()));
    return shapes;
  }

  /** A placeholder named after {@code f}: float32 or int32, shape {@code [-1, f.shape...]}. */
  public static Placeholder<?> placeholder(Ops tf, Feature f) {
    Placeholder.Options shape = Placeholder.shape(Shape.of(batchShape(f, -1)));
    return f.kind() == Feature.Kind.FLOAT
        ? tf.withName(f.name()).placeholder(TFloat32.class, shape)
        : tf.withName(f.name()).placeholder(TInt32.class, shape);
  }

  /**
   * Input {@code index} of {@code batch} (its valid examples) as a tensor of shape {@code [n,
   * f.shape...]}; the caller closes it.
   */
  public static Tensor tensor(Feature f, Batch batch, int index) {
    int n = batch.size();
    Shape shape = Shape.of(batchShape(f, n));
    int count = n * f.size();
    return f.kind() == Feature.Kind.FLOAT
        ? TFloat32.tensorOf(shape, DataBuffers.of(batch.floats(index), true, false).narrow(count))
        : TInt32.tensorOf(shape, DataBuffers.of(batch.ints(index), true, false).narrow(count));
  }

  private static long[] batchShape(Feature f, long batch) {
    int[] shape = f.shape();
    long[] dims = new long[shape.length + 1];
    dims[0] = batch;
    for (int i = 0; i < shape.length; i++) {
      dims[i + 1] = shape[i];
    }
    return dims;
  }
}
