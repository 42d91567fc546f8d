package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.Splits;
import engram.runtime.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's listener is called in order, sees the state, can stop the run and change it. */
class TrainingListenerTest {

  static Splits data;

  /** SimpleRNN(4) on 200 MNIST examples: 180 train (batches of 64: 64, 64, 52), 20 validation. */
  static RunConfig config(int epochs) {
    return config(epochs, 0);
  }

  /** As {@link #config(int)}, with {@code train.fetchEvery}. */
  static RunConfig config(int epochs, int fetchEvery) {
    return RunConfig.parsePreset(
        "{\"model\": {\"type\": \"rnn\", \"units\": [4]},"
            + " \"train\": {\"epochs\": "
            + epochs
            + ", \"batchSize\": 64, \"fetchEvery\": "
            + fetchEvery
            + "},"
            + " \"data\": {\"trainLimit\": 200, \"testLimit\": 20}}",
        "test");
  }

  @BeforeAll
  static void load() throws Exception {
    data = Splits.load(config(1).data(), TrainerTest.DATA);
  }

  /** The calls a two-epoch run makes, one string each. */
  private static List<String> events(RunConfig config, Path runDir) throws Exception {
    List<String> events = new ArrayList<>();
    TrainingListener recorder =
        new TrainingListener() {
          @Override
          public void onTrainBegin(TrainingRun run) {
            events.add("train " + run.state().epoch());
          }

          @Override
          public void onEpochBegin(TrainingRun run, int epoch) {
            events.add("epoch " + epoch);
          }

          @Override
          public void onBatchBegin(TrainingRun run, Step step) {
            assertEquals(null, step.result());
            events.add("b" + step.batch() + "/" + step.batches() + "@" + step.globalStep());
          }

          @Override
          public void onBatchEnd(TrainingRun run, Step step) {
            events.add("e" + step.batch() + " n=" + step.result().size() + "@" + step.globalStep());
          }

          @Override
          public void onEpochEnd(TrainingRun run, EpochMetrics m) {
            // The state counts the epoch; its checkpoint is not written yet.
            assertEquals(m.epoch(), run.state().epoch());
            assertEquals(m, run.state().history().get(m.epoch() - 1));
            assertFalse(Files.exists(run.runDir().resolve("checkpoints/epoch-000" + m.epoch())));
            events.add("end " + m.epoch() + " steps=" + run.state().globalStep());
          }

          @Override
          public void onTrainEnd(TrainingRun run, TrainResult r) {
            events.add("done " + r.epochs());
          }
        };
    new Trainer(config, data, runDir, Progress.none(), null).addListener(recorder).run(false);
    return events;
  }

  @Test
  void callsInOrderWithTheState(@TempDir Path tmp) throws Exception {
    // Scores fetched after every step: each batch ends before the next begins.
    assertEquals(
        List.of(
            "train 0",
            "epoch 1",
            "b1/3@0",
            "e1 n=64@0",
            "b2/3@1",
            "e2 n=64@1",
            "b3/3@2",
            "e3 n=52@2",
            "end 1 steps=3",
            "epoch 2",
            "b1/3@3",
            "e1 n=64@3",
            "b2/3@4",
            "e2 n=64@4",
            "b3/3@5",
            "e3 n=52@5",
            "end 2 steps=6",
            "done 2"),
        events(config(2, 1), tmp.resolve("every")));
    // Scores waiting on the device (no progress display: fetched at the epoch's end): the ends
    // come together, still one per step, in order, before the epoch ends.
    assertEquals(
        List.of(
            "train 0",
            "epoch 1",
            "b1/3@0",
            "b2/3@1",
            "b3/3@2",
            "e1 n=64@0",
            "e2 n=64@1",
            "e3 n=52@2",
            "end 1 steps=3",
            "epoch 2",
            "b1/3@3",
            "b2/3@4",
            "b3/3@5",
            "e1 n=64@3",
            "e2 n=64@4",
            "e3 n=52@5",
            "end 2 steps=6",
            "done 2"),
        events(config(2), tmp.resolve("auto")));
  }

  @Test
  void aListenerStopsTheRunAndItsStateChangeIsCheckpointed(@TempDir Path tmp) throws Exception {
    TrainingListener halveAndStop =
        new TrainingListener() {
          @Override
          public void onEpochEnd(TrainingRun run, EpochMetrics m) {
            run.update(s -> s.withSchedule(new LrSchedule.Decision(0.25, s.plateau())));
            if (m.epoch() == 2) {
              run.stop("enough");
            }
          }
        };
    TrainResult r =
        new Trainer(config(5), data, tmp, Progress.none(), null)
            .addListener(halveAndStop)
            .run(false);
    assertEquals(2, r.epochs(), "stopped after epoch 2 of 5");
    assertEquals(0.25, r.history().get(1).learningRate(), "epoch 2 ran at the listener's rate");
    String state = Files.readString(tmp.resolve("checkpoints/epoch-0002/state.json"));
    assertTrue(state.contains("\"learningRate\" : 0.25"), state);
    assertTrue(Files.exists(tmp.resolve("result.json")), "the test evaluation still ran");
  }
}
