package engram.cli;

import static engram.cli.CliErrorsTest.assertOneLineError;
import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli;
import engram.testing.Subprocess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device selection on a machine without a GPU (CI, this build): {@code doctor} says so and exits 0,
 * {@code --device gpu} fails in one line, and {@code --xla on} really compiles clusters.
 */
class ComputeOptionsTest {

  @Test
  void doctorReportsCpuOnlyAndExitsZero() {
    Cli.Outcome o = engram("doctor");
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    String out = o.out();
    assertTrue(out.contains("TensorFlow") && out.contains("2.18"), out);
    assertTrue(out.contains("linux-x86_64 (CPU only)"), out);
    assertTrue(out.contains("device") && out.contains("CPU /job:localhost"), out);
    assertTrue(out.contains("not used: this is the CPU build"), out);
    assertTrue(out.contains("./mvnw -Pgpu") && out.contains("CUDA 12.5"), out);
  }

  @Test
  void deviceGpuWithoutOneFailsInOneLine(@TempDir Path tmp) {
    assertOneLineError(
        engram(
            "bench",
            "--model",
            "lstm",
            "--device",
            "gpu",
            "--csv",
            tmp.resolve("b.csv").toString()),
        Main.EXIT_USAGE,
        "--device gpu",
        "./mvnw -Pgpu",
        "--device cpu");
    assertOneLineError(
        engram(
            "train",
            "--model",
            "lstm",
            "--device",
            "gpu",
            "--data-dir",
            CliErrorsTest.DATA.toString(),
            "--out",
            tmp.resolve("r").toString()),
        Main.EXIT_USAGE,
        "--device gpu");
    assertTrue(Files.notExists(tmp.resolve("b.csv")), "nothing written");
    assertTrue(Files.notExists(tmp.resolve("r")), "no run directory");
  }

  @Test
  void unknownDeviceNamesTheChoices() {
    assertOneLineError(
        engram("bench", "--model", "enn", "--device", "tpu"), Main.EXIT_USAGE, "cpu", "gpu");
  }

  /** XLA's switch is process-wide, so this runs in its own JVM. */
  @Test
  void xlaOnCompilesClustersOnTheCpu(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("bench.csv");
    Object[] r =
        Subprocess.run(
            tmp,
            "bench",
            "--model",
            "lstm",
            "--batch",
            "4",
            "--seq",
            "3",
            "--hidden",
            "8",
            "--warmup",
            "4",
            "--steps",
            "3",
            "--device",
            "cpu",
            "--xla",
            "on",
            "--progress",
            "none",
            "--csv",
            csv.toString());
    assertEquals(0, r[0], "stderr: " + r[2]);
    assertTrue(((String) r[1]).contains("on cpu, XLA on"), (String) r[1]);
    List<String> lines = Files.readAllLines(csv);
    assertEquals(2, lines.size(), "header and one row: " + lines);
    List<String> header = List.of(lines.get(0).split(","));
    String[] row = lines.get(1).split(",");
    assertEquals("on", row[header.indexOf("xla")]);
    int clusters = Integer.parseInt(row[header.indexOf("xla_clusters")]);
    assertTrue(clusters > 0, "TensorFlow ran XLA clusters: " + lines.get(1));
  }
}
