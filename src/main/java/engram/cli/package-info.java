/**
 * The {@code engram} command line (picocli). The only package that reads the environment or exits.
 */
package engram.cli;
