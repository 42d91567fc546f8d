/**
 * Tasks: what a model's outputs are scored against and how. A {@link engram.tasks.Task} owns the
 * target placeholder, the training loss and the metrics (accuracy; per-token negative
 * log-likelihood and perplexity; mean squared error), so the trainer, the evaluator and the export
 * work for any of them.
 */
package engram.tasks;
