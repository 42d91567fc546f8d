package engram.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.data.Dataset;
import engram.data.Feature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogitsCsvTest {

  /** Three examples with labels 2, 0, 1; no inputs are read. */
  static final Dataset LABELS =
      new Dataset() {
        @Override
        public int size() {
          return 3;
        }

        @Override
        public int numClasses() {
          return 3;
        }

        @Override
        public int label(int index) {
          return new int[] {2, 0, 1}[index];
        }

        @Override
        public List<Feature> inputs() {
          return List.of();
        }
      };

  @Test
  void writesLabelArgMaxAndLogitsPerExample(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("logits.csv");
    float[] logits = {0.5f, -1f, 2.25f, 3f, 3f, 0f, -2f, -0.5f, -3f};
    LogitsCsv.write(file, LABELS, logits, 3);
    assertEquals(
        List.of(
            "label,predicted,logit_0,logit_1,logit_2",
            "2,2,0.5,-1.0,2.25",
            "0,0,3.0,3.0,0.0", // a tie goes to the first class, as argmax does
            "1,1,-2.0,-0.5,-3.0"),
        Files.readAllLines(file));
  }
}
