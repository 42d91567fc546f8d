package engram.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** File checksums for verifying downloaded datasets. */
public final class Checksums {

  private static final int BUFFER_BYTES = 64 * 1024;

  private Checksums() {}

  /**
   * SHA-256 of a file's bytes, streamed so that memory use does not grow with the file.
   *
   * @return 64 lowercase hex digits, the format {@code sha256sum} prints
   * @throws IOException if the file cannot be read
   */
  public static String sha256(Path file) throws IOException {
    return hash(file, "SHA-256");
  }

  /**
   * SHA-1 of a file's bytes, for datasets whose published checksums are SHA-1 (WikiText-103).
   *
   * @return 40 lowercase hex digits, the format {@code sha1sum} prints
   */
  public static String sha1(Path file) throws IOException {
    return hash(file, "SHA-1");
  }

  /** SHA-256 of the first {@code length} bytes of {@code data}. */
  public static String sha256(byte[] data, int length) {
    MessageDigest digest = newDigest("SHA-256");
    digest.update(data, 0, length);
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Checks that {@code file} exists and has the published checksum {@code expected} (SHA-1 when
   * {@code sha1}, else SHA-256); otherwise a DataException naming the file, both sums and {@code
   * fix}.
   */
  static Path verify(Path file, String expected, boolean sha1, String fix) throws DataException {
    if (!Files.isRegularFile(file)) {
      throw new DataException(file, "file not found. " + fix);
    }
    String actual;
    try {
      actual = sha1 ? sha1(file) : sha256(file);
    } catch (IOException e) {
      throw new DataException(file, "cannot read it (" + e.getMessage() + ")", e);
    }
    if (!actual.equals(expected)) {
      throw new DataException(
          file,
          (sha1 ? "SHA-1 " : "SHA-256 ")
              + actual
              + ", expected "
              + expected
              + " (the released file): truncated, edited or another version. "
              + fix);
    }
    return file;
  }

  private static String hash(Path file, String algorithm) throws IOException {
    MessageDigest digest = newDigest(algorithm);
    byte[] buffer = new byte[BUFFER_BYTES];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) != -1) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform is required to provide SHA-1 and SHA-256 (MessageDigest javadoc).
      throw new IllegalStateException("this JVM provides no " + algorithm + " MessageDigest", e);
    }
  }
}
