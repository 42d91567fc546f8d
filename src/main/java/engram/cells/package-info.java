/**
 * Recurrent cells, one per file, each javadoc carrying its equations: {@link
 * engram.cells.EngramCell} (tensorflow-engram 0.1.0) and the Keras baselines {@link
 * engram.cells.SimpleRnnCell}, {@link engram.cells.GruCell}, {@link engram.cells.LstmCell}.
 */
package engram.cells;
