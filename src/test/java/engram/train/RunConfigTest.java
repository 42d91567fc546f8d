package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.models.ModelConfig;
import engram.models.ModelType;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Presets in models/ and the JSON config rules. */
class RunConfigTest {

  @Test
  void ennPresetIsThePapersMnistSetting() throws Exception {
    RunConfig c = RunConfig.readPreset(Path.of("models", "enn-mnist.json"));
    assertEquals(ModelType.ENN, c.model().type());
    assertEquals(List.of(128), c.model().units());
    assertEquals(64, c.model().engram().memorySize());
    assertEquals(0.05, c.model().engram().hebbianLr());
    assertEquals(0.1, c.model().engram().sparsityStrength());
    assertEquals(0.75, c.model().engram().tau());
    assertEquals(0.3, c.model().dropout());
    assertEquals(1e-3, c.train().learningRate());
    assertEquals(1.0, c.train().clipnorm());
    assertEquals(128, c.train().batchSize());
    assertEquals(15, c.train().epochs());
    assertEquals("rows", c.data().view());
  }

  @Test
  void everyPresetParsesAndBaselinesUseTheNotebookStack() throws Exception {
    int n = 0;
    try (DirectoryStream<Path> presets = Files.newDirectoryStream(Path.of("models"), "*.json")) {
      for (Path p : presets) {
        RunConfig c = RunConfig.readPreset(p);
        assertTrue(c.description().length() > 20, p + " explains itself");
        boolean baseline = c.model().type() != ModelType.ENN && c.model().type() != ModelType.HMEM;
        if (baseline && c.data().dataset().equals("mnist")) {
          assertEquals(List.of(128, 64), c.model().units(), p.toString());
        }
        if (baseline) {
          assertNull(c.model().engram());
        }
        if (c.data().dataset().startsWith("wikitext") && c.data().protocol().equals("streams")) {
          // The language-model comparison: one budget for all four models.
          assertEquals(List.of(200), c.model().units(), p.toString());
          assertEquals(ModelConfig.EVERY, c.model().head(), p.toString());
          assertEquals(200, c.model().embedding(), p.toString());
          assertEquals(20, c.train().batchSize(), p.toString());
          assertEquals(35, c.data().window(), p.toString());
          assertEquals(6, c.train().epochs(), p.toString());
        }
        n++;
      }
    }
    assertTrue(n >= 5, "enn, rnn, gru, lstm and hmem presets");
  }

  @Test
  void aConfigFromAnEarlierVersionReadsWithTheNewKeysDefaults() throws Exception {
    RunConfig c = RunConfig.defaults(ModelType.LSTM);
    var tree =
        (com.fasterxml.jackson.databind.node.ObjectNode) RunConfig.json().readTree(c.toJson());
    // train.tensorboard, model.head and data.window came after the first runs were written.
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("train")).remove("tensorboard");
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("model")).remove("head");
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("data")).remove("window");
    assertEquals(c, RunConfig.fromJson(tree.toString(), "config.json of an earlier engram"));
  }

  @Test
  void hmemPresetIsTheReleasedRecipe() throws Exception {
    RunConfig c = RunConfig.readPreset(Path.of("models", "hmem-babi.json"));
    assertEquals(ModelType.HMEM, c.model().type());
    assertEquals(engram.models.HMemConfig.defaults(), c.model().hmem());
    assertEquals(3e-3, c.train().learningRate());
    assertEquals(LrSchedule.step(0.85, 20), c.train().schedule());
    assertEquals(100, c.train().epochs());
    assertEquals(128, c.train().batchSize());
    assertEquals(0, c.train().clipnorm(), "TensorFlow 2.1 applied no clipping under fit");
    assertEquals("babi", c.data().dataset());
    assertTrue(c.train().monitor(), "presets record the association matrix for engram viz");
    RunConfig monitored =
        c.merged(RunConfig.json().readTree("{\"train\": {\"monitor\": false}}"), "test");
    assertEquals(RunConfig.defaults(ModelType.HMEM).withDescription(c.description()), monitored);
  }

  @Test
  void presetMergesOverDefaults() {
    RunConfig c =
        RunConfig.parsePreset(
            "{\"model\": {\"type\": \"lstm\"}, \"train\": {\"epochs\": 3}}", "inline");
    assertEquals(List.of(128, 64), c.model().units());
    assertEquals(3, c.train().epochs());
    assertEquals(128, c.train().batchSize());
  }

  @Test
  void roundTripsThroughJson() {
    RunConfig c =
        RunConfig.parsePreset(
            "{\"model\": {\"type\": \"enn\", \"engram\": {\"memorySize\": 16}}}", "inline");
    assertEquals(c, RunConfig.fromJson(c.toJson(), "round trip"));
  }

  @Test
  void errorsNameTheKeyAndTheValidOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RunConfig.parsePreset(
                    "{\"model\": {\"type\": \"enn\"}, \"train\": {\"epoch\": 3}}", "p.json"));
    assertTrue(
        e.getMessage().contains("'epoch'") && e.getMessage().contains("epochs"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RunConfig.parsePreset("{\"train\": {}}", "p.json"));
    assertTrue(e.getMessage().contains("model.type"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RunConfig.parsePreset(
                    "{\"model\": {\"type\": \"gru\", \"engram\": {}}}", "p.json"));
    assertTrue(e.getMessage().contains("model.engram applies only to type enn"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RunConfig.parsePreset(
                    "{\"model\": {\"type\": \"enn\", \"units\": [64, 32]}}", "p.json"));
    assertTrue(e.getMessage().contains("single width"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RunConfig.parsePreset(
                    "{\"model\": {\"type\": \"hmem\"}, \"train\": {\"bpttWindow\": 8}}", "p.json"));
    assertTrue(e.getMessage().contains("not hmem"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RunConfig.parsePreset(
                    "{\"model\": {\"type\": \"lstm\"}, \"train\": {\"bpttTruncate\": true}}",
                    "p.json"));
    assertTrue(e.getMessage().contains("needs train.bpttWindow > 0"), e.getMessage());
  }

  @Test
  void plateauScheduleFollowsKeras() {
    LrSchedule s = LrSchedule.plateau(0.5, 2, 1e-5);
    LrSchedule.PlateauState st = new LrSchedule.PlateauState(Double.MAX_VALUE, 0);
    LrSchedule.Decision d = s.next(1, 1e-3, 1.0, st); // improves
    assertEquals(1e-3, d.learningRate());
    d = s.next(2, d.learningRate(), 0.99995, d.plateau()); // within min_delta 1e-4: no improvement
    assertEquals(1e-3, d.learningRate());
    d = s.next(3, d.learningRate(), 1.2, d.plateau()); // second epoch without improvement: halve
    assertEquals(5e-4, d.learningRate(), 1e-12);
    assertEquals(0, d.plateau().epochsWithoutImprovement());
    LrSchedule.Decision floor = s.next(4, 1.5e-5, 2.0, new LrSchedule.PlateauState(1.0, 1));
    assertEquals(1e-5, floor.learningRate(), 1e-15, "not below min_lr");
  }

  @Test
  void stepScheduleDecaysEveryNEpochs() {
    LrSchedule s = LrSchedule.step(0.85, 20);
    assertEquals(3e-3, s.next(19, 3e-3, 0, null).learningRate());
    assertEquals(3e-3 * 0.85, s.next(20, 3e-3, 0, null).learningRate(), 1e-15);
  }

  @Test
  void exponentialScheduleIsTheReleasedImageTaskSchedule() {
    // image_association_task.py: lr(e) = 1e-3 for e < 50, else 1e-3 exp(0.1 (50 - e)), e 0-based;
    // next(k, ...) gives the rate of 0-based epoch k.
    LrSchedule s = LrSchedule.exponential(0.1, 50);
    double rate = 1e-3;
    for (int epoch = 1; epoch < 100; epoch++) {
      rate = s.next(epoch, rate, 0, null).learningRate();
      double released = epoch < 50 ? 1e-3 : 1e-3 * Math.exp(0.1 * (50 - epoch));
      assertEquals(released, rate, 1e-15, "0-based epoch " + epoch);
    }
    assertEquals(7.45e-6, rate, 1e-8, "hmem.md: about 7.4e-6 at epoch 99");
  }

  @Test
  void associationPresetsGiveHMemAndTheLstmOneBudget() throws Exception {
    for (String size : List.of("", "-cpu")) {
      RunConfig hmem = RunConfig.readPreset(Path.of("models", "hmem-association" + size + ".json"));
      RunConfig lstm = RunConfig.readPreset(Path.of("models", "lstm-association" + size + ".json"));
      assertEquals(hmem.model().encoder(), lstm.model().encoder(), size);
      assertEquals(hmem.train(), lstm.train(), size);
      assertEquals(hmem.data(), lstm.data(), size);
      assertEquals(List.of(200), lstm.model().units());
      assertEquals(200, hmem.model().hmem().memorySize());
      assertEquals(1, hmem.model().hmem().hops(), "feed-forward H-Mem: one query");
      assertEquals(32, hmem.train().batchSize());
      assertEquals(LrSchedule.Kind.EXPONENTIAL, hmem.train().schedule().kind());
    }
    RunConfig released = RunConfig.readPreset(Path.of("models", "hmem-association.json"));
    assertEquals(engram.nn.ConvNetConfig.convNet14(), released.model().encoder());
    assertEquals(100, released.train().epochs());
    assertEquals(50, released.train().schedule().start());
  }
}
