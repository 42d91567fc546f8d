package engram.cli;

import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code engram memory} end to end on a tiny comparison: table, figures, reuse, refusal. */
class MemoryCliTest {

  private static final String COMPARISON =
      """
      { "parameterBudget": 600,
        "train": { "epochs": 1, "batchSize": 16, "monitor": true, "tensorboard": false },
        "models": {
          "enn-paper": { "type": "enn", "dropout": 0.0,
            "engram": { "memorySize": 8, "sparsityStrength": 0.25, "trace": "example",
                        "topK": true } },
          "gru": { "type": "gru", "dropout": 0.0 } },
        "benchmarks": {
          "recall-2": { "dataset": "recall", "items": 2, "examples": 64, "testLimit": 32 } } }
      """;

  private static Cli.Outcome memory(Path file, Path out, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "memory",
                "--comparison",
                file.toString(),
                "--out",
                out.toString(),
                "--progress",
                "none"));
    args.addAll(List.of(extra));
    return engram(args.toArray(String[]::new));
  }

  @Test
  void aComparisonTrainsEveryModelAtTheBudgetAndReportsIt(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("tiny.json");
    Files.writeString(file, COMPARISON);
    Path out = tmp.resolve("suite");

    Cli.Outcome plan = memory(file, out, "--plan");
    assertEquals(Main.EXIT_OK, plan.code(), plan.err());
    assertTrue(plan.out().contains("recall-2") && plan.out().contains("gru"), plan.out());

    Cli.Outcome o = memory(file, out);
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    assertTrue(o.out().contains("memory: 2 run(s)"), o.out());
    List<CSVRecord> rows;
    try (var in = Files.newBufferedReader(out.resolve("results.csv"))) {
      rows = CSVFormat.DEFAULT.builder().setHeader().build().parse(in).getRecords();
    }
    assertEquals(2, rows.size());
    CSVRecord enn = rows.get(0);
    assertEquals("enn-paper", enn.get("model"));
    assertEquals("2", enn.get("kept_slots"), "ceil(8 x 0.25)");
    assertTrue(Double.parseDouble(enn.get("effective_slots")) <= 2 + 1, enn.toString());
    assertEquals("", rows.get(1).get("effective_slots"), "a GRU has no attention");
    for (CSVRecord r : rows) {
      long parameters = Long.parseLong(r.get("parameters"));
      assertTrue(Math.abs(parameters - 600) < 150, r.toString());
      assertEquals("accuracy", r.get("metric"));
    }
    for (String png : List.of("accuracy.png", "effective-slots.png", "seconds-per-epoch.png")) {
      assertTrue(Files.size(out.resolve(png)) > 1000, png);
    }

    Cli.Outcome again = memory(file, out, "--finished-only");
    assertEquals(Main.EXIT_OK, again.code(), again.err());
    assertTrue(again.out().contains("memory: 2 run(s)"), again.out());

    Files.writeString(file, COMPARISON.replace("600", "900"));
    CliErrorsTest.assertOneLineError(
        memory(file, out, "--models", "gru"), Main.EXIT_USAGE, "another config", "--out");
  }
}
