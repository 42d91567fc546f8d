/**
 * Datasets that verify what they read (sizes, magic numbers, SHA-256), train/validation splits and
 * mini-batches. Takes a data directory; never reads the environment.
 */
package engram.data;
