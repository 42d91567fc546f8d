package engram.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Epoch checkpoints of a run directory:
 *
 * <pre>
 *   checkpoints/epoch-0007/variables.index, variables.data-00000-of-00001   (weights + Adam slots)
 *   checkpoints/epoch-0007/state.json                                       ({@link TrainerState})
 *   checkpoint.json   {"latest": "epoch-0007", "best": "epoch-0005"}
 * </pre>
 *
 * A checkpoint is written into a hidden temporary directory and renamed into place; the pointer
 * file is replaced atomically afterwards. A crash at any moment leaves the previous checkpoint
 * intact and referenced. Older checkpoints beyond {@code keep} are deleted, the best one is kept.
 */
final class Checkpoints {

  static final String POINTER = "checkpoint.json";
  private static final String VARIABLES = "variables";
  private static final String STATE = "state.json";

  private final Path runDir;
  private final Path dir;
  private final int keep;

  Checkpoints(Path runDir, int keep) {
    this.runDir = runDir;
    this.dir = runDir.resolve("checkpoints");
    this.keep = keep;
  }

  /** Names of the latest and best checkpoint, from the pointer file. */
  record Pointer(String latest, String best) {}

  Optional<Pointer> pointer() throws IOException {
    Path file = runDir.resolve(POINTER);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    JsonNode node = RunConfig.json().readTree(Files.readString(file));
    String latest = node.path("latest").asText(null);
    if (latest == null) {
      throw new IOException(file + ": no \"latest\" entry; the run directory is damaged");
    }
    return Optional.of(new Pointer(latest, node.path("best").asText(null)));
  }

  /** Saves {@code graph}'s variables and {@code state} as {@code epoch-NNNN}. */
  void save(TrainingGraph graph, TrainerState state) throws IOException {
    String name = String.format("epoch-%04d", state.epoch());
    Files.createDirectories(dir);
    Path tmp = dir.resolve(".tmp-" + name);
    AtomicFiles.deleteTree(tmp);
    Files.createDirectories(tmp);
    graph.save(tmp.resolve(VARIABLES).toString());
    AtomicFiles.writeString(
        tmp.resolve(STATE),
        RunConfig.json().writerWithDefaultPrettyPrinter().writeValueAsString(state));
    Path target = dir.resolve(name);
    AtomicFiles.deleteTree(target);
    AtomicFiles.move(tmp, target);

    String best = state.bestEpoch() > 0 ? String.format("epoch-%04d", state.bestEpoch()) : null;
    ObjectNode pointer = RunConfig.json().createObjectNode().put("latest", name);
    if (best != null) {
      pointer.put("best", best);
    }
    AtomicFiles.writeString(runDir.resolve(POINTER), pointer.toPrettyString() + "\n");
    prune(name, best);
  }

  /** Restores checkpoint {@code name} into {@code graph} and returns its trainer state. */
  TrainerState restore(TrainingGraph graph, String name) throws IOException {
    Path ckpt = dir.resolve(name);
    Path state = ckpt.resolve(STATE);
    if (!Files.exists(state) || !Files.exists(ckpt.resolve(VARIABLES + ".index"))) {
      throw new IOException(
          ckpt + ": incomplete checkpoint (state.json or variables.index missing)");
    }
    graph.restore(ckpt.resolve(VARIABLES).toString());
    return RunConfig.json().readValue(Files.readString(state), TrainerState.class);
  }

  /** The {@code Session.save/restore} prefix of checkpoint {@code name} in {@code runDir}. */
  static String variablesPrefix(Path runDir, String name) {
    return runDir.resolve("checkpoints").resolve(name).resolve(VARIABLES).toString();
  }

  /** Restores only the variables of checkpoint {@code name}. */
  void restoreVariables(TrainingGraph graph, String name) {
    graph.restore(dir.resolve(name).resolve(VARIABLES).toString());
  }

  private void prune(String latest, String best) throws IOException {
    List<String> epochs = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "epoch-*")) {
      for (Path p : entries) {
        epochs.add(p.getFileName().toString());
      }
    }
    epochs.sort(null);
    int kept = 0;
    for (int i = epochs.size() - 1; i >= 0; i--) {
      String e = epochs.get(i);
      boolean isRecent = e.compareTo(latest) <= 0 && kept < keep;
      if (isRecent) {
        kept++;
      }
      if (!isRecent && !e.equals(best) && !e.equals(latest)) {
        AtomicFiles.deleteTree(dir.resolve(e));
      }
    }
  }
}
