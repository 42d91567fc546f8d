/**
 * Experiment suites that run many training runs with a paper's protocol and tabulate them: {@link
 * engram.experiments.BabiSuite}, H-Mem on the 20 bAbI tasks.
 */
package engram.experiments;
