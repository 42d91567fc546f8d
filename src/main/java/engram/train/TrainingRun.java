package engram.train;

import engram.data.Splits;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What a {@link TrainingListener} sees of a run in progress: its config, directory, graph and data,
 * and its {@link TrainerState}, which listeners may advance (a learning-rate schedule sets the next
 * rate) or end (early stopping).
 */
public final class TrainingRun {

  private final RunConfig config;
  private final Path runDir;
  private final TrainingGraph graph;
  private final Splits data;
  private TrainerState state;
  private String stopReason;
  private int sparedCheckpoint = -1;

  TrainingRun(RunConfig config, Path runDir, TrainingGraph graph, Splits data, TrainerState state) {
    this.config = config;
    this.runDir = runDir;
    this.graph = graph;
    this.data = data;
    this.state = state;
  }

  public RunConfig config() {
    return config;
  }

  public Path runDir() {
    return runDir;
  }

  public TrainingGraph graph() {
    return graph;
  }

  public Splits data() {
    return data;
  }

  /** Counters, schedule memory, best validation loss and history, as the next checkpoint saves. */
  public TrainerState state() {
    return state;
  }

  /** Replaces the state with {@code change} applied to it. */
  public void update(UnaryOperator<TrainerState> change) {
    state = Objects.requireNonNull(change.apply(state), "a listener's new state");
  }

  /** Ends the run after the current epoch; the test evaluation still runs. */
  public void stop(String reason) {
    stopReason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the run stops early, or null while it goes on. */
  public String stopReason() {
    return stopReason;
  }

  /** The epoch whose checkpoint pruning must spare for now (-1 for none). */
  int sparedCheckpoint() {
    return sparedCheckpoint;
  }

  void spareCheckpoint(int epoch) {
    sparedCheckpoint = epoch;
  }
}
