/**
 * Files engram writes and the problems they can have: atomic writes of text and of CSV tables
 * ({@link engram.io.AtomicFiles}), the lock that gives a run directory one writer ({@link
 * engram.io.RunLock}), checks that an output can be written before the work that produces it
 * ({@link engram.io.OutputPaths}), and {@link engram.io.FileProblem}, the one-line error that names
 * the file, what is wrong and what to do. Depends on nothing else in engram (only the JDK and
 * commons-csv).
 */
package engram.io;
