package engram.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generator against the released code's own output: {@code parity/association_indices.py} ran
 * IGITUGraz/H-Mem's {@code _create_dataset} on pair ids and recorded every sequence.
 */
class AssociationPairsTest {

  @ParameterizedTest(name = "{0} per class -> {1} sequences, as the released generator")
  @CsvSource({"892, 2230", "5000, 12500"})
  void sequencesEqualTheReleasedGenerator(int perClass, int sequences) throws Exception {
    List<int[]> released = fixture("/association/pairs-" + perClass + ".csv.gz");
    AssociationPairs pairs = AssociationPairs.generate(perClass);
    assertEquals(sequences, released.size());
    assertEquals(sequences, pairs.size());
    for (int s = 0; s < sequences; s++) {
      int[] row = released.get(s);
      int[] ours = {
        pairs.cifar(s, 0), pairs.cifar(s, 1), pairs.cifar(s, 2),
        pairs.mnist(s, 0), pairs.mnist(s, 1), pairs.mnist(s, 2),
        pairs.query(s), pairs.label(s)
      };
      assertEquals(
          java.util.Arrays.toString(row), java.util.Arrays.toString(ours), "sequence " + s);
    }
  }

  static List<int[]> fixture(String resource) throws Exception {
    List<int[]> rows = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(AssociationPairsTest.class.getResourceAsStream(resource)),
                StandardCharsets.US_ASCII))) {
      for (String line; (line = in.readLine()) != null; ) {
        rows.add(java.util.Arrays.stream(line.split(",")).mapToInt(Integer::parseInt).toArray());
      }
    }
    return rows;
  }
}
