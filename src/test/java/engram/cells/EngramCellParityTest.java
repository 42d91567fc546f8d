package engram.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engram.models.Rnn;
import engram.nn.Dense;
import engram.nn.Initializer;
import engram.nn.Param;
import engram.nn.ParamSet;
import engram.ops.Losses;
import engram.ops.Shapes;
import engram.testing.Npz;
import engram.testing.ParityFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * engram's EngramCell against outputs recorded from tensorflow-engram 0.1.0 itself ({@code
 * parity/cells.py}): same weights, inputs and random draws; every recorded step's z, attention,
 * retrieval, h and trace, the final output, the head's logits and loss, and the gradient of that
 * loss for every weight. Relative error = max|java - python| / max|python| per tensor.
 */
class EngramCellParityTest {

  // parity/compare.py holds fresh fixtures to these same bounds; change both together.
  static final double STEP_TOLERANCE = 1e-5;
  static final double GRADIENT_TOLERANCE = 1e-4;
  static final String REPORT = "cells";

  static JsonNode manifest;

  @BeforeAll
  static void readManifest() throws IOException {
    Path file = ParityFixtures.dir().resolve("cells/manifest.json");
    manifest = new ObjectMapper().readTree(Files.readString(file));
    ParityFixtures.startReport(
        REPORT,
        "versions: " + manifest.get("versions"),
        "| configuration | steps compared | max error per-step tensors | output, logits, loss | gradients |",
        "|---|---|---|---|---|");
  }

  @TestFactory
  Stream<DynamicTest> everyRecordedConfiguration() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode cfg : manifest.get("configs")) {
      tests.add(DynamicTest.dynamicTest(cfg.get("name").asText(), () -> check(cfg)));
    }
    return tests.stream();
  }

  void check(JsonNode cfg) throws IOException {
    int d = cfg.get("D").asInt(), h = cfg.get("H").asInt(), m = cfg.get("M").asInt();
    int b = cfg.get("B").asInt(), t = cfg.get("T").asInt();
    int classes = manifest.get("num_classes").asInt();
    EngramCellConfig config =
        new EngramCellConfig(
            m,
            cfg.get("hebbian_lr").asDouble(),
            cfg.get("scale_factor").asDouble(),
            cfg.get("temperature").asDouble(),
            cfg.get("layer_norm").asBoolean(),
            cfg.get("sparsity").asDouble());
    Map<String, Npz.Array> f =
        Npz.read(ParityFixtures.dir().resolve("cells").resolve(cfg.get("file").asText()));
    List<Integer> steps = new ArrayList<>();
    cfg.get("steps").forEach(s -> steps.add(s.asInt()));

    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ParamSet<TFloat32> params = ParamSet.create(tf, TFloat32.class, 0);
      EngramCell<TFloat32> cell = new EngramCell<>(params.child("engram_cell"), d, h, config);
      Dense<TFloat32> head =
          new Dense<>(params.child("head"), h, classes, Initializer.glorotUniform());
      Placeholder<TFloat32> x =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(b, t, d)));
      Placeholder<TInt32> labels = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(b)));
      Map<String, double[]> draws = new HashMap<>();
      f.forEach(
          (k, v) -> {
            if (k.startsWith("draws/")) draws.put(k.substring("draws/".length()), v.data());
          });
      NoiseSource noise = new InjectedNoise(draws);
      Rnn.Sequence<TFloat32> seq =
          Rnn.unroll(tf, cell, x, t, cell.initialState(tf, Shapes.batchSize(tf, x), noise), noise);
      Operand<TFloat32> logits = head.apply(tf, seq.last());
      Operand<TFloat32> loss =
          tf.math.mean(Losses.softmaxCrossEntropy(tf, logits, labels, classes), tf.constant(0));
      List<Param<TFloat32>> trainable = params.trainable();
      // The trainer's gradient path: the integrator's and output layer's kernels, read at every
      // step, get their gradient as one product over the steps (SharedWeightGradients).
      engram.ops.SharedWeightGradients.Result shared =
          engram.ops.SharedWeightGradients.of(
              g,
              "gradients",
              loss,
              trainable.stream().<Output<?>>map(p -> p.value().asOutput()).toList());
      assertEquals(
          t > 1 ? 2 : 0, shared.batched(), "hidden_integrator and output_dense kernels, T = " + t);
      Output<?>[] grads = shared.gradients();

      // expected name -> graph tensor, in fetch order
      Map<String, Operand<?>> fetch = new LinkedHashMap<>();
      for (int s : steps) {
        Map<String, Operand<TFloat32>> p = seq.probes().get(s);
        String prefix = String.format("steps/t%02d/", s);
        fetch.put(prefix + "z", p.get(EngramCell.Z));
        fetch.put(prefix + "attention", p.get(EngramCell.ATTENTION));
        fetch.put(prefix + "retrieved", p.get(EngramCell.RETRIEVED));
        fetch.put(prefix + "h", seq.outputs().get(s));
        fetch.put(prefix + "trace", p.get(EngramCell.TRACE));
      }
      fetch.put("output", seq.last());
      fetch.put("logits", logits);
      fetch.put("loss", loss);
      for (int i = 0; i < trainable.size(); i++) {
        fetch.put("grads/" + trainable.get(i).name(), grads[i]);
      }
      assertEquals(
          f.keySet().stream().filter(k -> k.startsWith("weights/")).count(),
          trainable.size(),
          "the fixture and engram must have the same trainable weights");

      List<Tensor> owned = new ArrayList<>();
      try (Session s = new Session(g)) {
        Session.Runner r = s.runner();
        owned.add(feed(r, x, f.get("x")));
        TInt32 y = TInt32.tensorOf(Shape.of(b));
        for (int i = 0; i < b; i++) y.setInt((int) f.get("labels").data()[i], i);
        owned.add(y);
        r.feed(labels, y);
        for (Param<TFloat32> p : params.all()) {
          Npz.Array w = f.get("weights/" + p.name());
          assertTrue(w != null, "fixture has no weights/" + p.name());
          owned.add(feed(r, p.value(), w));
        }
        // A tensor may stand for several names (the last step's h is the output): fetch it once.
        List<Operand<?>> distinct = fetch.values().stream().distinct().toList();
        distinct.forEach(r::fetch);
        double stepErr = 0, finalErr = 0, gradErr = 0;
        try (Result res = r.run()) {
          for (Map.Entry<String, Operand<?>> e : fetch.entrySet()) {
            String name = e.getKey();
            double[] actual = engram.testing.Tensors.read(res.get(distinct.indexOf(e.getValue())));
            double err = engram.testing.Tensors.relativeError(actual, f.get(name).data());
            double tol = name.startsWith("grads/") ? GRADIENT_TOLERANCE : STEP_TOLERANCE;
            assertTrue(
                err <= tol,
                cfg.get("name").asText() + " " + name + ": relative error " + err + " > " + tol);
            if (name.startsWith("grads/")) gradErr = Math.max(gradErr, err);
            else if (name.startsWith("steps/")) stepErr = Math.max(stepErr, err);
            else finalErr = Math.max(finalErr, err);
          }
        }
        ParityFixtures.report(
            REPORT,
            String.format(
                Locale.ROOT,
                "| %s | %d of %d | %.1e | %.1e | %.1e |",
                cfg.get("name").asText(),
                steps.size(),
                t,
                stepErr,
                finalErr,
                gradErr));
      } finally {
        owned.forEach(Tensor::close);
      }
    }
  }

  private static TFloat32 feed(Session.Runner r, Operand<TFloat32> target, Npz.Array a) {
    float[] v = new float[a.size()];
    for (int i = 0; i < v.length; i++) v[i] = (float) a.data()[i];
    TFloat32 t =
        TFloat32.tensorOf(
            target.shape().isUnknown() || target.shape().hasUnknownDimension()
                ? Shape.of(a.shape())
                : target.shape(),
            DataBuffers.of(v, true, false));
    r.feed(target, t);
    return t;
  }
}
