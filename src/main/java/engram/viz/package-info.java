/**
 * Figures of a run: {@link engram.viz.RunRecord} reads what training recorded, {@link
 * engram.viz.Figures} draws it as PNG files with XChart. Above {@code engram.train}; only the CLI
 * uses it.
 */
package engram.viz;
