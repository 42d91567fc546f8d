/**
 * Where and how work runs: the device, XLA and thread settings of a TensorFlow session ({@link
 * engram.runtime.Compute}) and progress reporting with rate and ETA ({@link
 * engram.runtime.Progress}). Depends on no other engram package.
 */
package engram.runtime;
