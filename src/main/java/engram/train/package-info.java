/**
 * Training: the graph of one run ({@link engram.train.TrainingGraph}), Keras-semantics {@link
 * engram.train.Adam}, the epoch loop with checkpoints and resume ({@link engram.train.Trainer}),
 * run configs and presets ({@link engram.train.RunConfig}).
 */
package engram.train;
