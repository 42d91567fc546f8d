package engram.export;

import engram.data.DataException;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the weights of a tensorflow-engram {@code EngramClassifier} from a Keras 3 weights file
 * ({@code model.save_weights("x.weights.h5")}) and names them as engram does.
 *
 * <p>Keras 3 stores each layer's variables under {@code layers/<layer>/.../vars/<i>} in creation
 * order. The mapping is a table lookup because engram's variables carry the package's attribute
 * names:
 *
 * <pre>
 *   layers/engram*&#47;engram_cell/vars/0                   engram_cell/engram_memory   [M,H]
 *   layers/engram*&#47;engram_cell/vars/1                   (initial_hebbian_trace: unused by the package, skipped)
 *   layers/engram*&#47;engram_cell/input_encoder/vars/0,1   engram_cell/input_encoder/{kernel,bias}
 *   ... hidden_integrator, output_dense                  .../{kernel,bias}
 *   ... layer_norm1, layer_norm2 (if present)            .../{gamma,beta}
 *   layers/dense*&#47;vars/0,1                              head/{kernel,bias}
 * </pre>
 *
 * The file's optimizer state is not imported.
 */
public final class KerasWeights {

  /** A float32 array with its shape. */
  public record Tensor(long[] shape, float[] values) {}

  /**
   * The imported weights by engram name, and the architecture they imply.
   *
   * @param inputSize D, features per step
   * @param units H
   * @param memorySize M
   * @param numClasses width of the dense head
   * @param layerNorm whether the cell has its two LayerNormalization layers
   */
  public record Imported(
      Map<String, Tensor> weights,
      int inputSize,
      int units,
      int memorySize,
      int numClasses,
      boolean layerNorm) {}

  private static final List<String> DENSE =
      List.of("input_encoder", "hidden_integrator", "output_dense");
  private static final List<String> NORMS = List.of("layer_norm1", "layer_norm2");

  private KerasWeights() {}

  /** Reads {@code file}; errors name the file and what is missing or mis-shaped. */
  public static Imported read(Path file) throws DataException {
    if (!Files.isRegularFile(file)) {
      throw new DataException(
          file, "file not found; expected a Keras 3 weights file (*.weights.h5)");
    }
    try (HdfFile h5 = new HdfFile(file)) {
      Group layers = child(h5, "layers", file);
      Group engram = uniqueChild(layers, "engram", "the Engram layer", file);
      Group cell = child(engram, "engram_cell", file);
      Group head = uniqueChild(layers, "dense", "the Dense softmax head", file);

      Map<String, Tensor> w = new LinkedHashMap<>();
      w.put("engram_cell/engram_memory", var(cell, 0, file));
      for (String name : DENSE) {
        Group layer = child(cell, name, file);
        w.put("engram_cell/" + name + "/kernel", var(layer, 0, file));
        w.put("engram_cell/" + name + "/bias", var(layer, 1, file));
      }
      boolean layerNorm = cell.getChildren().containsKey(NORMS.get(0));
      if (layerNorm) {
        for (String name : NORMS) {
          Group layer = child(cell, name, file);
          w.put("engram_cell/" + name + "/gamma", var(layer, 0, file));
          w.put("engram_cell/" + name + "/beta", var(layer, 1, file));
        }
      }
      w.put("head/kernel", var(head, 0, file));
      w.put("head/bias", var(head, 1, file));

      long[] encoder = w.get("engram_cell/input_encoder/kernel").shape();
      long[] memory = w.get("engram_cell/engram_memory").shape();
      long[] headKernel = w.get("head/kernel").shape();
      Imported imported =
          new Imported(
              w,
              (int) encoder[0],
              (int) encoder[1],
              (int) memory[0],
              (int) headKernel[1],
              layerNorm);
      checkShapes(imported, file);
      return imported;
    } catch (HdfException e) {
      throw new DataException(file, "not a readable HDF5 file (" + e.getMessage() + ")", e);
    }
  }

  /** Every weight must have the shape the inferred (D, H, M, C) imply. */
  private static void checkShapes(Imported m, Path file) throws DataException {
    long d = m.inputSize(), h = m.units(), mem = m.memorySize(), c = m.numClasses();
    Map<String, long[]> expected = new LinkedHashMap<>();
    expected.put("engram_cell/engram_memory", new long[] {mem, h});
    expected.put("engram_cell/input_encoder/kernel", new long[] {d, h});
    expected.put("engram_cell/input_encoder/bias", new long[] {h});
    expected.put("engram_cell/hidden_integrator/kernel", new long[] {3 * h, 3 * h});
    expected.put("engram_cell/hidden_integrator/bias", new long[] {3 * h});
    expected.put("engram_cell/output_dense/kernel", new long[] {3 * h, h});
    expected.put("engram_cell/output_dense/bias", new long[] {h});
    if (m.layerNorm()) {
      for (String n : NORMS) {
        expected.put("engram_cell/" + n + "/gamma", new long[] {h});
        expected.put("engram_cell/" + n + "/beta", new long[] {h});
      }
    }
    expected.put("head/kernel", new long[] {h, c});
    expected.put("head/bias", new long[] {c});
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      long[] actual = m.weights().get(e.getKey()).shape();
      if (!Arrays.equals(actual, e.getValue())) {
        throw new DataException(
            file,
            e.getKey()
                + " has shape "
                + Arrays.toString(actual)
                + ", expected "
                + Arrays.toString(e.getValue())
                + " for D="
                + d
                + ", H="
                + h
                + ", M="
                + mem
                + "; not an EngramClassifier weights file?");
      }
    }
  }

  private static Tensor var(Group layer, int index, Path file) throws DataException {
    Node node = child(layer, "vars", file).getChild(Integer.toString(index));
    if (!(node instanceof Dataset ds)) {
      throw new DataException(file, layer.getPath() + "vars/" + index + " is missing");
    }
    int[] dims = ds.getDimensions();
    Object data = ds.getDataFlat();
    if (!(data instanceof float[] values)) {
      throw new DataException(
          file, ds.getPath() + " holds " + ds.getJavaType().getSimpleName() + ", expected float32");
    }
    return new Tensor(Arrays.stream(dims).asLongStream().toArray(), values);
  }

  private static Group child(Group parent, String name, Path file) throws DataException {
    Node node = parent.getChildren().get(name);
    if (!(node instanceof Group g)) {
      throw new DataException(
          file,
          "no group "
              + parent.getPath()
              + name
              + " (found "
              + parent.getChildren().keySet()
              + "); expected a Keras 3 weights file of a tensorflow-engram EngramClassifier");
    }
    return g;
  }

  /** The single child whose name starts with {@code prefix} ("engram", "engram_1", ...). */
  private static Group uniqueChild(Group parent, String prefix, String what, Path file)
      throws DataException {
    List<Group> matches =
        parent.getChildren().values().stream()
            .filter(n -> n instanceof Group && n.getName().matches(prefix + "(_\\d+)?"))
            .map(n -> (Group) n)
            .toList();
    if (matches.size() != 1) {
      throw new DataException(
          file,
          "expected exactly one layer group for "
              + what
              + " ("
              + prefix
              + "*) under "
              + parent.getPath()
              + ", found "
              + parent.getChildren().keySet());
    }
    return matches.get(0);
  }
}
