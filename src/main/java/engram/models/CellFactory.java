package engram.models;

import engram.cells.RecurrentCell;
import engram.nn.ParamSet;
import org.tensorflow.types.family.TFloating;

/**
 * Makes one recurrent layer of a {@link SequenceModel}: a cell of {@code units} over inputs of
 * {@code inputSize} features, with its variables under {@code params}. It must return a cell of the
 * params' floating type; {@code config} carries cell options (the ENN's {@code engram}).
 */
@FunctionalInterface
public interface CellFactory {

  RecurrentCell<? extends TFloating> create(
      ParamSet<? extends TFloating> params, int inputSize, int units, ModelConfig config);
}
