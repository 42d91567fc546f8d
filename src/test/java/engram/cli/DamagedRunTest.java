package engram.cli;

import static engram.cli.CliErrorsTest.assertOneLineError;
import static engram.testing.Cli.engram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.testing.Cli;
import engram.testing.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged run directory or model ends {@code train --resume}, {@code evaluate}, {@code export}
 * and {@code predict} alike: exit code 3, one line naming the damaged file and the flag that picks
 * an earlier checkpoint (or the command that rebuilds the model), and nothing written.
 */
class DamagedRunTest {

  @TempDir static Path shared;
  static Path run;
  static Path model;

  static final String DATA = TinyRun.DATA.toString();
  static final String LATEST = "checkpoints/epoch-0003/";

  @BeforeAll
  static void trainAndExportOnce() {
    run = TinyRun.train(shared.resolve("run"));
    model = TinyRun.export(run, shared.resolve("model"));
  }

  /** A copy of the run with {@code damage} done to it. */
  static Path damaged(Path tmp, Damage damage) throws IOException {
    Path copy = TinyRun.copy(run, tmp.resolve("run"));
    damage.apply(copy);
    return copy;
  }

  interface Damage {
    void apply(Path run) throws IOException;
  }

  /**
   * train --resume, evaluate and export each refuse the run, naming {@code file} and the flag that
   * picks checkpoint {@code epoch} instead.
   */
  static void refusedByAll(Path tmp, Path copy, String file, int epoch) {
    Map<String, String> before = Snapshot.of(copy);
    Path named = copy.resolve(file);
    assertOneLineError(
        engram(
            "train",
            "--resume",
            "--out",
            copy.toString(),
            "--data-dir",
            DATA,
            "--progress",
            "none"),
        Main.EXIT_DATA,
        named.toString(),
        "--resume --from-epoch " + epoch);
    assertOneLineError(
        engram("evaluate", "--run", copy.toString(), "--data-dir", DATA, "--progress", "none"),
        Main.EXIT_DATA,
        named.toString(),
        "--weights " + epoch);
    Path out = tmp.resolve("exported");
    assertOneLineError(
        engram("export", "--run", copy.toString(), "--out", out.toString(), "--data-dir", DATA),
        Main.EXIT_DATA,
        named.toString(),
        "--weights " + epoch);
    assertEquals(before, Snapshot.of(copy), "nothing in the run directory changed");
    assertFalse(Files.exists(out), "no model written");
  }

  @Test
  void truncatedVariables(@TempDir Path tmp) throws IOException {
    String data = LATEST + "variables.data-00000-of-00001";
    Path copy = damaged(tmp, r -> truncate(r.resolve(data), 100));
    refusedByAll(tmp, copy, data, 2);
  }

  @Test
  void corruptIndex(@TempDir Path tmp) throws IOException {
    String index = LATEST + "variables.index";
    Path copy = damaged(tmp, r -> flipBytes(r.resolve(index), 50));
    refusedByAll(tmp, copy, index, 2);
  }

  @Test
  void pointerToAMissingEpoch(@TempDir Path tmp) throws IOException {
    Path copy = damaged(tmp, r -> deleteTree(r.resolve(LATEST)));
    refusedByAll(tmp, copy, "checkpoints/epoch-0003", 2);
  }

  @Test
  void damagedPointer(@TempDir Path tmp) throws IOException {
    Path copy = damaged(tmp, r -> Files.writeString(r.resolve("checkpoint.json"), "{\"latest\": "));
    // The checkpoints themselves are whole, so the fix names the latest of them.
    refusedByAll(tmp, copy, "checkpoint.json", 3);
  }

  @Test
  void damagedTrainerStateStopsAResume(@TempDir Path tmp) throws IOException {
    String state = LATEST + "state.json";
    Path copy = damaged(tmp, r -> truncate(r.resolve(state), 40));
    Map<String, String> before = Snapshot.of(copy);
    assertOneLineError(
        engram("train", "--resume", "--out", copy.toString(), "--data-dir", DATA),
        Main.EXIT_DATA,
        copy.resolve(state).toString(),
        "--resume --from-epoch 2");
    assertEquals(before, Snapshot.of(copy));
  }

  @Test
  void theFlagInTheMessageResumesFromTheEarlierEpoch(@TempDir Path tmp) throws IOException {
    Path copy =
        damaged(tmp, r -> truncate(r.resolve(LATEST + "variables.data-00000-of-00001"), 100));
    Cli.Outcome o =
        engram(
            "train",
            "--resume",
            "--from-epoch",
            "2",
            "--out",
            copy.toString(),
            "--data-dir",
            DATA,
            "--progress",
            "none");
    assertEquals(Main.EXIT_OK, o.code(), o.err());
    assertTrue(o.out().contains("after 3 epochs"), o.out());
    // Epoch 3 was trained again from epoch 2: its checkpoint is whole, and evaluate reads it.
    Cli.Outcome e =
        engram("evaluate", "--run", copy.toString(), "--data-dir", DATA, "--progress", "none");
    assertEquals(Main.EXIT_OK, e.code(), e.err());
  }

  @Test
  void truncatedSavedModel(@TempDir Path tmp) throws IOException {
    Path copy = TinyRun.copy(model, tmp.resolve("model"));
    truncate(copy.resolve("saved_model.pb"), 3000);
    Map<String, String> before = Snapshot.of(copy);
    Path csv = tmp.resolve("predictions.csv");
    assertOneLineError(
        engram("predict", "--model", copy.toString(), "--data-dir", DATA, "--out", csv.toString()),
        Main.EXIT_DATA,
        copy.resolve("saved_model.pb").toString(),
        "engram export --run " + run.toAbsolutePath().normalize(),
        "--force");
    assertEquals(before, Snapshot.of(copy));
    assertFalse(Files.exists(csv));
  }

  static void truncate(Path file, int bytes) throws IOException {
    byte[] all = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(all, Math.min(bytes, all.length)));
  }

  static void flipBytes(Path file, int at) throws IOException {
    byte[] all = Files.readAllBytes(file);
    for (int i = at; i < at + 4 && i < all.length; i++) {
      all[i] ^= (byte) 0xA5;
    }
    Files.write(file, all);
  }

  static void deleteTree(Path dir) throws IOException {
    engram.io.AtomicFiles.deleteTree(dir);
  }
}
