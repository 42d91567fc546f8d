package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.cells.EngramCellConfig;
import engram.data.Batch;
import engram.data.Batches;
import engram.models.ModelConfig;
import engram.models.ModelType;
import engram.nn.Param;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * {@code train.precision: bfloat16}: the model computes in bfloat16 on float32 weights, which start
 * where a float32 run's start, receive the gradients and keep a float32 run's names; the loss and
 * the LayerNorm and softmax statistics stay float32.
 */
class MixedPrecisionTest {

  static final List<ModelConfig> MODELS =
      List.of(
          new ModelConfig(ModelType.LSTM, List.of(8), 0, null, null),
          new ModelConfig(
              ModelType.ENN, List.of(8), 0, EngramCellConfig.defaults().withMemorySize(4), null));

  @BeforeAll
  static void load() throws Exception {
    PrecisionTest.load();
  }

  static TrainingGraph graph(ModelConfig model, Precision precision) {
    return new TrainingGraph(
        model,
        PrecisionTest.data.train().inputs(),
        PrecisionTest.data.train().target(),
        0,
        TrainingGraph.Options.defaults(5).withPrecision(precision),
        null);
  }

  /** The element types of {@code opType}'s first outputs in {@code g}'s graph. */
  static List<DataType> outputTypes(TrainingGraph g, String opType) {
    List<DataType> types = new java.util.ArrayList<>();
    g.graph()
        .operations()
        .forEachRemaining(
            op -> {
              if (op.type().equals(opType)) {
                types.add(((GraphOperation) op).output(0).dataType());
              }
            });
    return types;
  }

  @Test
  void bfloat16ComputesOnTheFloat32WeightsOfAFloat32Run() {
    for (ModelConfig model : MODELS) {
      try (TrainingGraph single = graph(model, Precision.FLOAT32);
          TrainingGraph mixed = graph(model, Precision.BFLOAT16)) {
        String m = model.type().toString();
        // The weights: float32 variables with the float32 run's names and initial values.
        for (Param<?> p : mixed.params().trainable()) {
          assertEquals(TFloat32.class, p.value().type(), m + " " + p.name());
        }
        Map<String, double[]> start = PrecisionTest.weights(single);
        assertEquals(start.keySet(), PrecisionTest.weights(mixed).keySet(), m);
        PrecisionTest.assertSameWeights(single, mixed, 0);

        // The model's matmuls run in bfloat16 (but the ENN's cosines: see EngramCell (3)); the
        // loss and the LayerNorm statistics in float32.
        List<DataType> matmuls = outputTypes(mixed, "MatMul");
        assertTrue(
            matmuls.contains(DataType.DT_BFLOAT16)
                && (model.type() == ModelType.ENN || !matmuls.contains(DataType.DT_FLOAT)),
            m + " matmuls: " + matmuls);
        assertEquals(
            List.of(DataType.DT_FLOAT, DataType.DT_FLOAT),
            outputTypes(mixed, "SoftmaxCrossEntropyWithLogits"),
            m + ": the training and evaluation losses");
        if (model.type() == ModelType.ENN) {
          List<DataType> softmax = outputTypes(mixed, "Softmax");
          assertTrue(
              !softmax.isEmpty() && softmax.stream().allMatch(t -> t == DataType.DT_FLOAT),
              "attention softmax in float32: " + softmax);
          List<DataType> rsqrt = outputTypes(mixed, "Rsqrt");
          assertTrue(rsqrt.contains(DataType.DT_FLOAT), "LayerNorm statistics: " + rsqrt);
        }

        // A step from the same weights scores the batch as float32 does, to bfloat16's precision
        // (8 significant bits: relative steps of 2^-8), and moves the float32 weights.
        Batch batch = Batch.forDataset(PrecisionTest.data.train(), 32);
        Batches.inOrder(PrecisionTest.data.train(), 32).fill(0, batch);
        double a = single.trainStep(batch, 1e-3f, new long[] {3, 0}).loss();
        double b = mixed.trainStep(batch, 1e-3f, new long[] {3, 0}).loss();
        assertEquals(a, b, 0.05 * a, m + " first-step loss");
        Map<String, double[]> after = PrecisionTest.weights(mixed);
        start.forEach(
            (name, v) ->
                assertNotEquals(
                    Arrays.toString(v), Arrays.toString(after.get(name)), m + " " + name));
      }
    }
  }

  @Test
  void windowsAndUnknownWordsAreRefusedWithTheFix() {
    IllegalArgumentException fp8 =
        assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp8"));
    assertTrue(fp8.getMessage().contains("must be fp32, bf16, fp16 or fp64"), fp8.getMessage());
    assertEquals(Precision.BFLOAT16, Precision.parse("bf16"));
    assertEquals(Precision.FLOAT16, Precision.parse("fp16"));
    IllegalArgumentException windows =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new TrainingGraph(
                    MODELS.get(0),
                    PrecisionTest.data.train().inputs(),
                    PrecisionTest.data.train().target(),
                    0,
                    TrainingGraph.Options.defaults(5)
                        .withPrecision(Precision.BFLOAT16)
                        .withBptt(new Bptt(7, false)),
                    null));
    assertTrue(windows.getMessage().contains("set train.bpttWindow to 0"), windows.getMessage());
  }
}
