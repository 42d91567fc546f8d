package engram.experiments;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.train.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A suite reuses a finished run whose config.json an earlier engram wrote, without keys added since
 * (their defaults apply), and refuses one trained with another value.
 */
class FinishedRunTest {

  @Test
  void acceptsAnEarlierConfigAndRefusesAnotherBudget(@TempDir Path dir) throws Exception {
    RunConfig preset = RunConfig.defaults(engram.models.ModelType.LSTM);
    ObjectNode written = (ObjectNode) RunConfig.json().readTree(preset.toJson());
    ((ObjectNode) written.get("train")).remove("precision"); // a key newer than the run
    Files.writeString(dir.resolve("config.json"), written.toString());
    assertDoesNotThrow(() -> FinishedRun.checkConfig(dir, preset));

    ((ObjectNode) written.get("train")).put("epochs", preset.train().epochs() + 1);
    Files.writeString(dir.resolve("config.json"), written.toString());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FinishedRun.checkConfig(dir, preset));
    assertTrue(e.getMessage().contains("train.epochs"), e.getMessage());
  }
}
