package engram.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.io.AtomicFiles;
import engram.io.FileProblem;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.tensorflow.exceptions.TensorFlowException;

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
 *
 * <p>Reading is checked: a missing, damaged or truncated checkpoint, pointer or state file is a
 * {@link FileProblem} that names the file and the flag that picks an earlier checkpoint, and is
 * found before anything in the run directory is written.
 */
final class Checkpoints {

  static final String POINTER = "checkpoint.json";
  private static final String VARIABLES = "variables";
  private static final String STATE = "state.json";

  private final Path runDir;
  private final Path dir;
  private final int keep;
  private final String selectFlag;

  /**
   * @param selectFlag how the user picks a checkpoint by epoch, quoted in the fixes of errors:
   *     {@code --resume --from-epoch} for train, {@code --weights} for evaluate and export
   */
  Checkpoints(Path runDir, int keep, String selectFlag) {
    this.runDir = runDir;
    this.dir = runDir.resolve("checkpoints");
    this.keep = keep;
    this.selectFlag = selectFlag;
  }

  /** Names of the latest and best checkpoint, from the pointer file. */
  record Pointer(String latest, String best) {}

  /** {@code epoch-0007} for 7. */
  static String name(int epoch) {
    return String.format(Locale.ROOT, "epoch-%04d", epoch);
  }

  /** Whether the run directory holds checkpoints: a pointer file or a complete checkpoint. */
  boolean any() {
    return Files.exists(runDir.resolve(POINTER)) || !completeEpochs().isEmpty();
  }

  /** The pointer file, or empty when the run has none. */
  Optional<Pointer> pointer() throws FileProblem {
    Path file = runDir.resolve(POINTER);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      JsonNode node = RunConfig.json().readTree(Files.readString(file));
      String latest = node == null ? null : node.path("latest").asText(null);
      if (latest == null || !latest.matches("epoch-\\d{4,}")) {
        throw new FileProblem(file, "damaged (no \"latest\" checkpoint in it); " + pickOne());
      }
      String best = node.path("best").asText(null);
      return Optional.of(new Pointer(latest, best));
    } catch (JsonProcessingException e) {
      throw new FileProblem(
          file, "damaged (" + e.getOriginalMessage().strip() + "); " + pickOne(), e);
    } catch (IOException e) {
      throw FileProblem.cannotRead(file, e);
    }
  }

  /** Epochs of the checkpoints whose files are all present, oldest first. */
  List<Integer> completeEpochs() {
    List<Integer> epochs = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return epochs;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "epoch-*")) {
      for (Path p : entries) {
        String n = p.getFileName().toString().substring("epoch-".length());
        if (n.matches("\\d+") && missingFile(p) == null) {
          epochs.add(Integer.parseInt(n));
        }
      }
    } catch (IOException e) {
      return epochs;
    }
    epochs.sort(null);
    return epochs;
  }

  /**
   * The checkpoint {@code which} names, {@code latest}, {@code best} or an epoch number, checked to
   * have all its files.
   */
  String resolve(String which) throws FileProblem {
    String name;
    if (which.matches("\\d+")) {
      name = name(Integer.parseInt(which));
      if (!Files.isDirectory(dir.resolve(name))) {
        throw new FileProblem(dir.resolve(name), "no such checkpoint; " + pickOne());
      }
    } else if (which.equals("latest") || which.equals("best")) {
      Pointer pointer =
          pointer()
              .orElseThrow(
                  () ->
                      new FileProblem(
                          runDir.resolve(POINTER),
                          "missing, so the run has no checkpoint yet"
                              + (completeEpochs().isEmpty() ? "" : "; " + pickOne())));
      name = which.equals("latest") ? pointer.latest() : pointer.best();
      if (name == null) {
        throw new IllegalArgumentException(
            runDir + " has no best checkpoint (no validation ran); use --weights latest");
      }
      if (!Files.isDirectory(dir.resolve(name))) {
        throw new FileProblem(
            dir.resolve(name),
            "missing, though "
                + POINTER
                + " names it as the "
                + which
                + " checkpoint; "
                + pickOne());
      }
    } else {
      throw new IllegalArgumentException(
          "--weights must be latest, best or an epoch number, got '" + which + "'");
    }
    Path missing = missingFile(dir.resolve(name));
    if (missing != null) {
      throw new FileProblem(
          missing, "missing, so checkpoint " + name + " is incomplete; " + pickOne());
    }
    return name;
  }

  /** The trainer state saved with checkpoint {@code name}. */
  TrainerState readState(String name) throws FileProblem {
    Path file = dir.resolve(name).resolve(STATE);
    try {
      return RunConfig.json().readValue(Files.readString(file), TrainerState.class);
    } catch (JsonProcessingException e) {
      throw new FileProblem(
          file, "damaged (" + e.getOriginalMessage().strip() + "); " + pickOne(name), e);
    } catch (IOException e) {
      throw FileProblem.cannotRead(file, e);
    }
  }

  /** Restores only the variables of checkpoint {@code name}. */
  void restoreVariables(TrainingGraph graph, String name) throws FileProblem {
    restoreWith(name, graph::restore);
  }

  /** Calls {@code restore} (a graph's restore) with checkpoint {@code name}'s variables prefix. */
  void restoreWith(String name, Consumer<String> restore) throws FileProblem {
    Path prefix = dir.resolve(name).resolve(VARIABLES);
    try {
      restore.accept(prefix.toString());
    } catch (TensorFlowException e) {
      throw new FileProblem(
          FileProblem.checkpointFile(prefix, e.getMessage()),
          "damaged or truncated (" + FileProblem.reason(e) + "); " + pickOne(name),
          e);
    }
  }

  /**
   * Saves {@code graph}'s variables and {@code state} as {@code epoch-NNNN}, then prunes old
   * checkpoints, sparing the best and {@code alsoKeep} (an epoch; -1 for none).
   */
  void save(TrainingGraph graph, TrainerState state, int alsoKeep) throws IOException {
    String name = name(state.epoch());
    Files.createDirectories(dir);
    Path tmp = dir.resolve(".tmp-" + name);
    AtomicFiles.deleteTree(tmp);
    try {
      Files.createDirectories(tmp);
      try {
        graph.save(tmp.resolve(VARIABLES).toString());
      } catch (TensorFlowException e) {
        throw FileProblem.cannotWrite(tmp.resolve(VARIABLES + ".data-00000-of-00001"), e, null);
      }
      AtomicFiles.writeString(
          tmp.resolve(STATE),
          RunConfig.json().writerWithDefaultPrettyPrinter().writeValueAsString(state));
      Path target = dir.resolve(name);
      AtomicFiles.deleteTree(target);
      AtomicFiles.move(tmp, target);
    } catch (IOException e) {
      AtomicFiles.deleteTree(tmp);
      throw e;
    }

    String best = state.bestEpoch() > 0 ? name(state.bestEpoch()) : null;
    ObjectNode pointer = RunConfig.json().createObjectNode().put("latest", name);
    if (best != null) {
      pointer.put("best", best);
    }
    AtomicFiles.writeString(runDir.resolve(POINTER), pointer.toPrettyString() + "\n");
    prune(name, best, alsoKeep >= 0 ? name(alsoKeep) : null);
  }

  /** The first file checkpoint directory {@code ckpt} lacks, or null when complete. */
  private static Path missingFile(Path ckpt) {
    for (String f : List.of(STATE, VARIABLES + ".index", VARIABLES + ".data-00000-of-00001")) {
      if (!Files.isRegularFile(ckpt.resolve(f))) {
        return ckpt.resolve(f);
      }
    }
    return null;
  }

  /**
   * The fix: another checkpoint on disk (the latest before {@code not}, if any) by its epoch, or
   * starting afresh.
   */
  private String pickOne(String not) {
    List<Integer> others = completeEpochs();
    others.removeIf(e -> name(e).equals(not));
    if (others.isEmpty()) {
      return "no other checkpoint is left in " + dir + "; train again into a new --out";
    }
    int pick = others.get(others.size() - 1);
    for (int e : others) {
      if (not != null && name(e).compareTo(not) < 0) {
        pick = e;
      }
    }
    return "pick another checkpoint with "
        + selectFlag
        + " "
        + pick
        + " (checkpoints on disk: epochs "
        + others.stream().map(String::valueOf).collect(Collectors.joining(", "))
        + ")";
  }

  private String pickOne() {
    return pickOne(null);
  }

  private void prune(String latest, String best, String spared) throws IOException {
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
      if (!isRecent && !e.equals(best) && !e.equals(latest) && !e.equals(spared)) {
        AtomicFiles.deleteTree(dir.resolve(e));
      }
    }
  }
}
