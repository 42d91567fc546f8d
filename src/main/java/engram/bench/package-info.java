/**
 * Speed measurement: {@link engram.bench.StepTimer} times the real training step on random inputs
 * of a {@link engram.bench.StepSpec}'s sizes and returns a {@link engram.bench.StepReport} (ms per
 * step, sequences/s, FLOPs, memory, XLA clusters, op times), which {@code engram bench} prints and
 * appends to a CSV.
 */
package engram.bench;
