package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.data.Splits;
import engram.runtime.Progress;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * The event file of a short ENN run, decoded record by record (TFRecord framing, TensorFlow's own
 * Event proto): one value per epoch and tag, equal to the epoch's metrics, and the trace heat map.
 * The parity harness reads the same files with TensorBoard's reader ({@code parity/events.py}).
 */
class TensorBoardWriterTest {

  @Test
  void eventsHoldTheEpochMetricsAndTheHeatMap(@TempDir Path tmp) throws Exception {
    RunConfig c =
        RunConfig.parsePreset(
            "{\"model\": {\"type\": \"enn\", \"units\": [8]},"
                + " \"train\": {\"epochs\": 2, \"batchSize\": 64, \"monitor\": true},"
                + " \"data\": {\"trainLimit\": 200, \"testLimit\": 20}}",
            "test");
    assertTrue(c.train().tensorboard(), "on by default");
    Path run = tmp.resolve("run");
    TrainResult r =
        new Trainer(c, Splits.load(c.data(), TrainerTest.DATA), run, Progress.none(), null)
            .run(false);

    Path file;
    try (Stream<Path> files = Files.list(run.resolve(TensorBoardWriter.DIR))) {
      List<Path> all = files.toList();
      assertEquals(1, all.size(), all.toString());
      file = all.get(0);
    }
    assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."), file.toString());
    Map<String, Float> scalars = new HashMap<>();
    int images = 0;
    for (Event e : read(file)) {
      for (Summary.Value v : e.getSummary().getValueList()) {
        if (v.hasImage()) {
          images++;
          assertEquals(8, v.getImage().getWidth(), "H columns of the [M, H] trace");
        } else {
          scalars.put(v.getTag() + "@" + e.getStep(), v.getSimpleValue());
        }
      }
    }
    for (EpochMetrics m : r.history()) {
      assertEquals((float) m.trainLoss(), scalars.get("loss@" + m.epoch()));
      assertEquals((float) m.valAccuracy(), scalars.get("val_accuracy@" + m.epoch()));
      assertEquals((float) m.learningRate(), scalars.get("learning_rate@" + m.epoch()));
      assertTrue(scalars.containsKey("trace/mean_abs@" + m.epoch()), scalars.keySet().toString());
    }
    assertEquals(2, images, "a heat map per epoch");
  }

  /** The events of a TFRecord file: length (u64 LE), its CRC, the bytes, their CRC. */
  static List<Event> read(Path file) throws Exception {
    List<Event> out = new java.util.ArrayList<>();
    try (InputStream in = Files.newInputStream(file);
        DataInputStream data = new DataInputStream(in)) {
      while (true) {
        byte[] header = new byte[12];
        try {
          data.readFully(header);
        } catch (EOFException end) {
          return out;
        }
        long length = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] record = new byte[(int) length];
        data.readFully(record);
        data.readFully(new byte[4]);
        out.add(Event.parseFrom(record));
      }
    }
  }
}
