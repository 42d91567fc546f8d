package engram.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

  private static final String FIX = "Re-make the test file.";
  private static final int[] DIMS = {2, 3, 4};
  private static final byte[] PAYLOAD = sequence(24);

  @TempDir Path dir;

  @Test
  void readsGoodRank3File() throws IOException {
    Path file = writeIdxGz(dir.resolve("good.gz"), Idx.MAGIC_UBYTE_RANK3, DIMS, PAYLOAD);

    Idx.Data data = Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX);

    assertArrayEquals(DIMS, data.dims());
    assertArrayEquals(PAYLOAD, data.payload());
  }

  @Test
  void readsUnsignedBytesAboveByteMaxValue() throws IOException {
    byte[] payload = {(byte) 0, (byte) 127, (byte) 128, (byte) 255};
    Path file = writeIdxGz(dir.resolve("labels.gz"), Idx.MAGIC_UBYTE_RANK1, new int[] {4}, payload);

    Idx.Data data = Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK1, new int[] {4}, FIX);

    assertEquals(255, data.payload()[3] & 0xFF);
  }

  @Test
  void dimsAreDefensivelyCopied() throws IOException {
    Path file = writeIdxGz(dir.resolve("good.gz"), Idx.MAGIC_UBYTE_RANK3, DIMS, PAYLOAD);
    Idx.Data data = Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX);

    data.dims()[0] = 99;

    assertArrayEquals(DIMS, data.dims());
  }

  @Test
  void labelsWhereImagesExpectedSuggestsSwap() throws IOException {
    Path file =
        writeIdxGz(dir.resolve("labels.gz"), Idx.MAGIC_UBYTE_RANK1, new int[] {3}, sequence(3));

    DataException e =
        assertThrows(
            DataException.class, () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX));

    assertMessage(e, file, "expected 2051 (images) got 2049 (labels)", "swapped");
  }

  @Test
  void imagesWhereLabelsExpectedSuggestsSwap() throws IOException {
    Path file = writeIdxGz(dir.resolve("images.gz"), Idx.MAGIC_UBYTE_RANK3, DIMS, PAYLOAD);

    DataException e =
        assertThrows(
            DataException.class,
            () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK1, new int[] {2}, FIX));

    assertMessage(e, file, "expected 2049 (labels) got 2051 (images)", "swapped");
  }

  @Test
  void garbageMagicIsNamedNotIdx() throws IOException {
    Path file = gzip(dir.resolve("text.gz"), "hello world, not IDX".getBytes());

    DataException e =
        assertThrows(
            DataException.class, () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX));

    assertMessage(e, file, "bad IDX magic number", "not an IDX header");
    assertFalse(e.getMessage().contains("swapped"), e.getMessage());
  }

  @Test
  void wrongDimensionsAreReported() throws IOException {
    Path file = writeIdxGz(dir.resolve("images.gz"), Idx.MAGIC_UBYTE_RANK3, DIMS, PAYLOAD);

    DataException e =
        assertThrows(
            DataException.class,
            () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, new int[] {2, 4, 3}, FIX));

    assertMessage(e, file, "expected dimensions [2x4x3] got [2x3x4]");
  }

  @Test
  void truncatedPayloadReportsExpectedAndActualBytes() throws IOException {
    Path file =
        writeIdxGz(
            dir.resolve("short.gz"), Idx.MAGIC_UBYTE_RANK3, DIMS, Arrays.copyOf(PAYLOAD, 20));

    DataException e =
        assertThrows(
            DataException.class, () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX));

    assertMessage(e, file, "expected 24 payload bytes", "got 20", "truncated");
  }

  @Test
  void truncatedHeaderIsReported() throws IOException {
    Path file = gzip(dir.resolve("header.gz"), new byte[] {0, 0, 8, 3, 0, 0});

    DataException e =
        assertThrows(
            DataException.class, () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX));

    assertMessage(e, file, "3 dimension sizes", "got only 2 of 12 bytes");
  }

  @Test
  void trailingBytesAreRejected() throws IOException {
    byte[] longer = Arrays.copyOf(PAYLOAD, 30);
    Path file = writeIdxGz(dir.resolve("long.gz"), Idx.MAGIC_UBYTE_RANK3, DIMS, longer);

    DataException e =
        assertThrows(
            DataException.class, () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX));

    assertMessage(e, file, "expected 24 payload bytes", "got 6 bytes more");
  }

  @Test
  void uncompressedFileIsNotGzip() throws IOException {
    Path file = dir.resolve("plain.gz");
    Files.write(file, idx(Idx.MAGIC_UBYTE_RANK3, DIMS, PAYLOAD));

    DataException e =
        assertThrows(
            DataException.class, () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX));

    assertMessage(e, file, "expected a gzip-compressed IDX file", "invalid gzip data");
  }

  @Test
  void cutGzipStreamIsTruncated() throws IOException {
    byte[] big = new byte[10_000];
    new java.util.Random(1).nextBytes(big); // incompressible, so the cut lands in deflate data
    byte[] gz = gzipBytes(idx(Idx.MAGIC_UBYTE_RANK1, new int[] {big.length}, big));
    Path file = dir.resolve("cut.gz");
    Files.write(file, Arrays.copyOf(gz, gz.length / 2));

    DataException e =
        assertThrows(
            DataException.class,
            () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK1, new int[] {big.length}, FIX));

    assertMessage(e, file, "ends early", "truncated");
  }

  @Test
  void corruptGzipTrailerIsDetected() throws IOException {
    byte[] gz = gzipBytes(idx(Idx.MAGIC_UBYTE_RANK3, DIMS, PAYLOAD));
    gz[gz.length - 8] ^= 0x01; // first byte of the CRC-32 in the gzip trailer
    Path file = dir.resolve("crc.gz");
    Files.write(file, gz);

    DataException e =
        assertThrows(
            DataException.class, () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX));

    assertMessage(e, file, "invalid gzip data");
  }

  @Test
  void emptyFileIsReported() throws IOException {
    Path file = Files.createFile(dir.resolve("empty.gz"));

    DataException e =
        assertThrows(
            DataException.class, () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX));

    assertMessage(e, file);
  }

  @Test
  void missingFileIsReported() {
    Path file = dir.resolve("absent.gz");

    DataException e =
        assertThrows(
            DataException.class, () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, DIMS, FIX));

    assertMessage(e, file, "file not found");
  }

  @Test
  void rankMismatchBetweenMagicAndDimsIsAProgrammingError() throws IOException {
    Path file = writeIdxGz(dir.resolve("good.gz"), Idx.MAGIC_UBYTE_RANK3, DIMS, PAYLOAD);

    assertThrows(
        IllegalArgumentException.class,
        () -> Idx.readGzip(file, Idx.MAGIC_UBYTE_RANK3, new int[] {24}, FIX));
  }

  /** Asserts the one-line message names the file, carries the fix, and contains each fragment. */
  static void assertMessage(DataException e, Path file, String... fragments) {
    String message = e.getMessage();
    assertEquals(file, e.path());
    assertTrue(message.startsWith(file + ": "), message);
    assertFalse(message.contains("\n") || message.contains("\r"), message);
    assertTrue(message.endsWith(FIX), message);
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), () -> "missing '" + fragment + "' in: " + message);
    }
  }

  /** Writes a gzip-compressed IDX file with the given header and payload (not checked). */
  static Path writeIdxGz(Path file, int magic, int[] dims, byte[] payload) throws IOException {
    return gzip(file, idx(magic, dims, payload));
  }

  static byte[] idx(int magic, int[] dims, byte[] payload) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic); // DataOutputStream is big-endian, as IDX requires
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(payload);
    }
    return bytes.toByteArray();
  }

  static Path gzip(Path file, byte[] content) throws IOException {
    Files.write(file, gzipBytes(content));
    return file;
  }

  private static byte[] gzipBytes(byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    }
    return bytes.toByteArray();
  }

  private static byte[] sequence(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 11);
    }
    return b;
  }
}
