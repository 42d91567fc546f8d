package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engram.cli.Main;
import engram.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train.dataOnDevice}: the splits put on the device once, each step fed only its batch's row
 * numbers, trains exactly as the batches fed from the host do (same batches, same seed), also with
 * the scores waiting on the device between fetches ({@code train.fetchEvery}), and the checkpoints
 * keep the model, not the data.
 */
class DataOnDeviceTest {

  private static String[] args(Path out, String dataOnDevice, String... more) {
    List<String> a =
        new java.util.ArrayList<>(
            List.of(
                "train",
                "--model",
                "lstm",
                "--hidden",
                "16",
                "--epochs",
                "2",
                "--batch",
                "32",
                "--train-limit",
                "1000",
                "--test-limit",
                "200",
                "--threads",
                "1",
                "--progress",
                "none",
                "--set",
                "train.dataOnDevice=" + dataOnDevice,
                "--data-dir",
                ResumeTest.DATA.toString(),
                "--out",
                out.toString()));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @Test
  void residentBatchesTrainExactlyAsFedOnes(@TempDir Path tmp) throws Exception {
    Path fed = tmp.resolve("fed");
    Path resident = tmp.resolve("resident");
    // Today's pipeline (each batch fed, each step's scores fetched) against the device-resident
    // one with scores fetched every 5 steps: 29 steps per epoch leave a partial last interval.
    Cli.Outcome a = Cli.engram(args(fed, "off", "--set", "train.fetchEvery=1"));
    assertEquals(0, a.code(), a.err());
    Cli.Outcome b = Cli.engram(args(resident, "on", "--set", "train.fetchEvery=5"));
    assertEquals(0, b.code(), b.err());

    // 900 training examples (the last 10 % of the 1,000 validate): 29 steps per epoch, the last
    // one partial, so the row selection covers the remainder too.
    List<String> fedRows = Files.readAllLines(fed.resolve("metrics.csv"));
    List<String> residentRows = Files.readAllLines(resident.resolve("metrics.csv"));
    List<String> header = List.of(fedRows.get(0).split(","));
    assertEquals(3, fedRows.size(), "header + 2 epochs");
    for (String column : List.of("train_loss", "train_accuracy", "val_loss", "val_accuracy")) {
      int c = header.indexOf(column);
      for (int epoch = 1; epoch <= 2; epoch++) {
        double expected = Double.parseDouble(fedRows.get(epoch).split(",")[c]);
        double actual = Double.parseDouble(residentRows.get(epoch).split(",")[c]);
        assertEquals(expected, actual, 1e-6 * Math.abs(expected), column + ", epoch " + epoch);
      }
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode fedResult = json.readTree(fed.resolve("result.json").toFile());
    JsonNode residentResult = json.readTree(resident.resolve("result.json").toFile());
    assertEquals(
        fedResult.get("test_accuracy").asDouble(), residentResult.get("test_accuracy").asDouble());
    double loss = fedResult.get("test_loss").asDouble();
    assertEquals(loss, residentResult.get("test_loss").asDouble(), 1e-6 * loss);

    // The stores are resource variables, which the saver skips: same checkpoint bytes.
    assertEquals(checkpointBytes(fed), checkpointBytes(resident));
  }

  @Test
  void integerInputsTrainExactlyAsFedOnes(@TempDir Path tmp) throws Exception {
    // H-Mem on bAbI: two INT inputs (story, query) instead of one FLOAT input.
    String[] babi = {
      "train",
      "--preset",
      "models/hmem-babi.json",
      "--set",
      "data.size=1k",
      "--set",
      "train.monitor=false",
      "--epochs",
      "2",
      "--train-limit",
      "300",
      "--test-limit",
      "100",
      "--threads",
      "1",
      "--progress",
      "none",
      "--data-dir",
      ResumeTest.DATA.toString()
    };
    List<Path> runs = List.of(tmp.resolve("fed"), tmp.resolve("resident"));
    List<String> modes = List.of("off", "on");
    for (int i = 0; i < 2; i++) {
      String[] args = java.util.Arrays.copyOf(babi, babi.length + 4);
      System.arraycopy(
          new String[] {"--set", "train.dataOnDevice=" + modes.get(i), "--out", runs.get(i) + ""},
          0,
          args,
          babi.length,
          4);
      Cli.Outcome o = Cli.engram(args);
      assertEquals(0, o.code(), o.err());
    }
    assertEquals(
        Files.readAllLines(runs.get(0).resolve("metrics.csv")).stream()
            .map(DataOnDeviceTest::scores)
            .toList(),
        Files.readAllLines(runs.get(1).resolve("metrics.csv")).stream()
            .map(DataOnDeviceTest::scores)
            .toList());
  }

  /** A metrics.csv row without its timing columns (the last two). */
  private static String scores(String row) {
    String[] cells = row.split(",");
    return String.join(",", java.util.Arrays.copyOf(cells, cells.length - 2));
  }

  @Test
  void onRefusesWhatItCannotServe(@TempDir Path tmp) {
    Cli.Outcome o = Cli.engram(args(tmp.resolve("windows"), "on", "--set", "train.bpttWindow=7"));
    assertEquals(Main.EXIT_USAGE, o.code(), o.err());
    assertTrue(o.err().contains("train.dataOnDevice on does not serve BPTT windows"), o.err());
  }

  private static long checkpointBytes(Path run) throws Exception {
    try (Stream<Path> files = Files.walk(run)) {
      return files
          .filter(p -> p.getFileName().toString().contains(".data-"))
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }
}
