/**
 * Moving models in and out of engram: {@link engram.export.KerasWeights} reads tensorflow-engram
 * classifiers from Keras 3 weights files. Beside {@code engram.train}; never imports it.
 */
package engram.export;
