package engram.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.data.DataException;
import engram.data.Dataset;
import engram.data.Feature;
import engram.data.Splits;
import engram.export.KerasWeights;
import engram.models.ModelType;
import engram.train.RunConfig;
import engram.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tensorflow.proto.ConfigProto;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code engram import-keras}: turns the Keras 3 weights file of a tensorflow-engram {@code
 * EngramClassifier} into an engram run directory (config + checkpoint {@code epoch-0000}).
 */
@Command(
    name = "import-keras",
    mixinStandardHelpOptions = true,
    description =
        "Import a tensorflow-engram EngramClassifier's Keras weights (*.weights.h5) as an engram"
            + " run; then `engram evaluate --run DIR` scores it and `engram train --resume --out"
            + " DIR` fine-tunes it.",
    sortOptions = false)
final class ImportKerasCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(paramLabel = "FILE", description = "Keras 3 weights file, e.g. model.weights.h5.")
  Path file;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Run directory to create.")
  Path out;

  @Option(
      names = "--preset",
      paramLabel = "FILE",
      description =
          "ENN preset for the settings a weights file does not hold (hebbian rate, sparsity,"
              + " data, training); default models' ENN defaults. Widths come from the file.")
  Path preset;

  @Override
  public Integer call() throws Exception {
    ConfigProto session = common.sessionConfig();
    KerasWeights.Imported imported = KerasWeights.read(file);
    RunConfig base =
        preset != null ? RunConfig.readPreset(preset) : RunConfig.defaults(ModelType.ENN);
    if (base.model().type() != ModelType.ENN) {
      throw new IllegalArgumentException(
          "--preset "
              + preset
              + " is a "
              + base.model().type()
              + " preset; import-keras needs an enn one");
    }
    // The widths are facts of the file; everything else comes from the preset.
    ObjectNode patch = RunConfig.json().createObjectNode();
    ObjectNode model = patch.putObject("model");
    model.putArray("units").add(imported.units());
    model
        .putObject("engram")
        .put("memorySize", imported.memorySize())
        .put("useLayerNorm", imported.layerNorm());
    RunConfig config = base.merged(patch, file.toString());

    Dataset test = Splits.load(config.data(), common.dataDir).test();
    common.logCompute();
    Feature x = test.inputs().get(0);
    int features = x.shape()[x.shape().length - 1];
    if (features != imported.inputSize() || test.numClasses() != imported.numClasses()) {
      throw new DataException(
          file,
          String.format(
              Locale.ROOT,
              "the weights take %d features per step and predict %d classes, but data %s/%s has"
                  + " %d features and %d classes; pick the matching data with --preset",
              imported.inputSize(),
              imported.numClasses(),
              config.data().dataset(),
              config.data().view(),
              features,
              test.numClasses()));
    }
    Map<String, float[]> weights = new LinkedHashMap<>();
    imported.weights().forEach((name, tensor) -> weights.put(name, tensor.values()));
    Trainer.initialize(config, weights, test, out, session);
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "imported %d weights of an EngramClassifier (D=%d, H=%d, M=%d, %d classes%s) from %s into %s%n",
            weights.size(),
            imported.inputSize(),
            imported.units(),
            imported.memorySize(),
            imported.numClasses(),
            imported.layerNorm() ? ", layer norm" : "",
            file,
            out);
    return Main.EXIT_OK;
  }
}
