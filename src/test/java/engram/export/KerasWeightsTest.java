package engram.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.DataException;
import engram.testing.ParityFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a Keras 3 weights file written by tensorflow-engram 0.1.0. */
class KerasWeightsTest {

  static final Path FILE =
      ParityFixtures.dir().resolve("classifier").resolve("enn-mnist-1epoch.weights.h5");

  @Test
  void mapsTheClassifierOntoEngramNames() throws Exception {
    KerasWeights.Imported w = KerasWeights.read(FILE);
    assertEquals(28, w.inputSize());
    assertEquals(128, w.units());
    assertEquals(64, w.memorySize());
    assertEquals(10, w.numClasses());
    assertTrue(w.layerNorm());
    assertEquals(
        List.of(
            "engram_cell/engram_memory",
            "engram_cell/input_encoder/kernel",
            "engram_cell/input_encoder/bias",
            "engram_cell/hidden_integrator/kernel",
            "engram_cell/hidden_integrator/bias",
            "engram_cell/output_dense/kernel",
            "engram_cell/output_dense/bias",
            "engram_cell/layer_norm1/gamma",
            "engram_cell/layer_norm1/beta",
            "engram_cell/layer_norm2/gamma",
            "engram_cell/layer_norm2/beta",
            "head/kernel",
            "head/bias"),
        List.copyOf(w.weights().keySet()));
    assertArrayEquals(
        new long[] {384, 384}, w.weights().get("engram_cell/hidden_integrator/kernel").shape());
    // 210,826 trainable values, as Keras' summary() counts them (without the unused trace weight)
    assertEquals(210_826, w.weights().values().stream().mapToLong(t -> t.values().length).sum());
  }

  @Test
  void missingOrForeignFilesNameTheProblem(@TempDir Path tmp) throws Exception {
    DataException e =
        assertThrows(DataException.class, () -> KerasWeights.read(tmp.resolve("none.weights.h5")));
    assertTrue(e.getMessage().contains("file not found"), e.getMessage());
    Path junk = Files.write(tmp.resolve("junk.weights.h5"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    e = assertThrows(DataException.class, () -> KerasWeights.read(junk));
    assertTrue(e.getMessage().contains("junk.weights.h5"), e.getMessage());
  }
}
