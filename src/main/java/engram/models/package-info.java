/** Models built from cells: static unrolling ({@link engram.models.Rnn}) and classifiers. */
package engram.models;
