/**
 * Moving models in and out of engram: {@link engram.export.KerasWeights} reads tensorflow-engram
 * classifiers from Keras 3 weights files; {@link engram.export.InferenceGraph} and {@link
 * engram.export.EngramModel} write, load and run SavedModels. Above {@code engram.train}; only the
 * CLI uses it.
 */
package engram.export;
