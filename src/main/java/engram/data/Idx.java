package engram.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for gzip-compressed IDX files, the format MNIST ships in.
 *
 * <p>Layout after decompression, all integers big-endian: a 4-byte magic number {@code 0x0000TTRR}
 * (TT = element type, 0x08 for unsigned bytes; RR = rank), then RR 4-byte dimension sizes, then
 * prod(dims) elements in row-major order. Only unsigned-byte files are supported.
 *
 * <p>Every check fails with a one-line {@link DataException}: wrong magic, wrong dimensions, a
 * payload shorter or longer than prod(dims), and gzip corruption (bad deflate data or CRC).
 */
public final class Idx {

  /** Magic of an unsigned-byte rank-1 file, e.g. MNIST labels: {@code [count]}. */
  public static final int MAGIC_UBYTE_RANK1 = 0x00000801;

  /** Magic of an unsigned-byte rank-3 file, e.g. MNIST images: {@code [count, rows, cols]}. */
  public static final int MAGIC_UBYTE_RANK3 = 0x00000803;

  private static final int UBYTE_TYPE = 0x08;
  private static final int GZIP_BUFFER_BYTES = 64 * 1024;
  // Largest array the JVM reliably allocates (see ArraysSupport.SOFT_MAX_ARRAY_LENGTH).
  private static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 8;

  private Idx() {}

  /**
   * A decoded IDX file.
   *
   * @param dims dimension sizes, outermost first (e.g. {@code [60000, 28, 28]})
   * @param payload the prod(dims) unsigned bytes in row-major order; freshly allocated and handed
   *     over without a copy (it can be tens of MB), so the caller owns it
   */
  public record Data(int[] dims, byte[] payload) {

    public Data {
      dims = dims.clone();
    }

    /** A copy of the dimension sizes. */
    @Override
    public int[] dims() {
      return dims.clone();
    }
  }

  /**
   * Reads and validates a gzip-compressed unsigned-byte IDX file.
   *
   * @param file the {@code .gz} file
   * @param expectedMagic {@link #MAGIC_UBYTE_RANK1} or {@link #MAGIC_UBYTE_RANK3} (any {@code
   *     0x000008RR})
   * @param expectedDims the exact dimension sizes the caller requires; its length must equal the
   *     rank encoded in {@code expectedMagic}
   * @param fix the sentence appended to every error telling the user how to get a good file (the
   *     caller knows where the file came from; this class does not)
   * @return the dimensions and payload
   * @throws DataException if the file is missing, not gzip, corrupt, or does not match the expected
   *     magic, dimensions or size
   */
  public static Data readGzip(Path file, int expectedMagic, int[] expectedDims, String fix)
      throws DataException {
    checkArguments(expectedMagic, expectedDims);
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), GZIP_BUFFER_BYTES)) {
      return read(in, file, expectedMagic, expectedDims, fix);
    } catch (DataException e) {
      throw e;
    } catch (NoSuchFileException e) {
      throw new DataException(file, "file not found. " + fix, e);
    } catch (ZipException e) {
      throw new DataException(
          file,
          "expected a gzip-compressed IDX file, got invalid gzip data ("
              + e.getMessage()
              + "). "
              + fix,
          e);
    } catch (EOFException e) {
      throw new DataException(
          file,
          "expected a complete gzip stream, got one that ends early ("
              + e.getMessage()
              + "); the file is truncated. "
              + fix,
          e);
    } catch (IOException e) {
      throw new DataException(file, "cannot read the file (" + e + "). " + fix, e);
    }
  }

  private static void checkArguments(int expectedMagic, int[] expectedDims) {
    if ((expectedMagic >>> 8) != UBYTE_TYPE) {
      throw new IllegalArgumentException(
          "expectedMagic must be an unsigned-byte IDX magic 0x000008RR, got 0x"
              + Integer.toHexString(expectedMagic));
    }
    if ((expectedMagic & 0xFF) != expectedDims.length) {
      throw new IllegalArgumentException(
          "expectedMagic encodes rank "
              + (expectedMagic & 0xFF)
              + " but expectedDims has "
              + expectedDims.length
              + " entries");
    }
    long total = 1;
    for (int d : expectedDims) {
      if (d < 0) {
        throw new IllegalArgumentException("expectedDims must be >= 0, got " + shape(expectedDims));
      }
      total *= d;
      if (total > MAX_PAYLOAD_BYTES) {
        throw new IllegalArgumentException(
            "expectedDims "
                + shape(expectedDims)
                + " exceed "
                + MAX_PAYLOAD_BYTES
                + " bytes, the largest payload one Java array holds");
      }
    }
  }

  private static Data read(
      InputStream in, Path file, int expectedMagic, int[] expectedDims, String fix)
      throws IOException {
    int magic = readInts(in, 1, file, "the 4-byte magic number", fix)[0];
    if (magic != expectedMagic) {
      throw new DataException(
          file,
          "bad IDX magic number: expected "
              + describeMagic(expectedMagic)
              + " got "
              + describeMagic(magic)
              + swapHint(expectedMagic, magic)
              + ". "
              + fix);
    }
    int[] dims =
        readInts(in, expectedDims.length, file, expectedDims.length + " dimension sizes", fix);
    if (!Arrays.equals(dims, expectedDims)) {
      throw new DataException(
          file, "expected dimensions " + shape(expectedDims) + " got " + shape(dims) + ". " + fix);
    }
    byte[] payload = new byte[payloadBytes(dims)];
    int n = in.readNBytes(payload, 0, payload.length);
    if (n < payload.length) {
      throw new DataException(
          file,
          "expected "
              + payload.length
              + " payload bytes for "
              + shape(dims)
              + " got "
              + n
              + "; the file is truncated. "
              + fix);
    }
    // Reading to the end also makes GZIPInputStream check the CRC-32 and length in the gzip
    // trailer, so silent corruption of the compressed data surfaces here as a ZipException.
    long extra = countRemaining(in);
    if (extra > 0) {
      throw new DataException(
          file,
          "expected "
              + payload.length
              + " payload bytes for "
              + shape(dims)
              + " got "
              + extra
              + " bytes more after them; the file is not the one the header describes. "
              + fix);
    }
    return new Data(dims, payload);
  }

  private static int[] readInts(InputStream in, int count, Path file, String what, String fix)
      throws IOException {
    byte[] bytes = in.readNBytes(4 * count);
    if (bytes.length < 4 * count) {
      throw new DataException(
          file,
          "expected an IDX header with "
              + what
              + " got only "
              + bytes.length
              + " of "
              + (4 * count)
              + " bytes; the file is truncated or not IDX. "
              + fix);
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes); // big-endian by default, as IDX requires
    int[] values = new int[count];
    for (int i = 0; i < count; i++) {
      values[i] = buffer.getInt();
    }
    return values;
  }

  // Only called once dims equal the caller's expectation, which checkArguments bounded.
  private static int payloadBytes(int[] dims) {
    int total = 1;
    for (int d : dims) {
      total *= d;
    }
    return total;
  }

  private static long countRemaining(InputStream in) throws IOException {
    byte[] sink = new byte[8192];
    long total = 0;
    int n;
    while ((n = in.read(sink)) != -1) {
      total += n;
    }
    return total;
  }

  /** Human-readable meaning of a magic number, e.g. {@code "2051 (images)"}. */
  static String describeMagic(int magic) {
    if (magic == MAGIC_UBYTE_RANK3) {
      return magic + " (images)";
    }
    if (magic == MAGIC_UBYTE_RANK1) {
      return magic + " (labels)";
    }
    if ((magic >>> 16) == 0) {
      return magic + String.format(" (type 0x%02x, rank %d)", (magic >>> 8) & 0xFF, magic & 0xFF);
    }
    return magic + String.format(" (0x%08x, not an IDX header)", magic);
  }

  private static String swapHint(int expected, int actual) {
    boolean imagesLabels = expected == MAGIC_UBYTE_RANK3 && actual == MAGIC_UBYTE_RANK1;
    boolean labelsImages = expected == MAGIC_UBYTE_RANK1 && actual == MAGIC_UBYTE_RANK3;
    return imagesLabels || labelsImages ? ", so the images and labels files look swapped" : "";
  }

  private static String shape(int[] dims) {
    return Arrays.stream(dims)
        .mapToObj(Integer::toString)
        .collect(Collectors.joining("x", "[", "]"));
  }
}
