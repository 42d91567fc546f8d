package engram.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads NumPy {@code .npz} archives (a zip of {@code .npy} files, as {@code np.savez_compressed}
 * writes them): little-endian float32, float64, int32 and int64 arrays in C order.
 */
public final class Npz {

  /** One array: its NumPy dtype ({@code <f4}, ...), shape and values widened to double. */
  public record Array(String dtype, long[] shape, double[] data) {
    public int size() {
      return data.length;
    }
  }

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private Npz() {}

  /** Every array in {@code file}, by name (the entry name without {@code .npy}). */
  public static Map<String, Array> read(Path file) throws IOException {
    Map<String, Array> arrays = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        if (!e.getName().endsWith(".npy")) {
          continue;
        }
        try (InputStream in = zip.getInputStream(e)) {
          String name = e.getName().substring(0, e.getName().length() - 4);
          arrays.put(name, npy(in.readAllBytes(), file + ":" + e.getName()));
        }
      }
    }
    return arrays;
  }

  /** Parses one {@code .npy} file's bytes. */
  static Array npy(byte[] bytes, String source) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[6];
    buf.get(magic);
    if (magic[0] != (byte) 0x93
        || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
      throw new IOException(source + ": not a .npy file (bad magic)");
    }
    int major = buf.get();
    buf.get(); // minor version
    int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
    byte[] header = new byte[headerLength];
    buf.get(header);
    String h =
        new String(header, major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String dtype = group(DESCR, h, source);
    if (group(FORTRAN, h, source).equals("True")) {
      throw new IOException(source + ": Fortran-order arrays are not supported");
    }
    long[] shape =
        Arrays.stream(group(SHAPE, h, source).split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    double[] data = new double[n];
    for (int i = 0; i < n; i++) {
      data[i] =
          switch (dtype) {
            case "<f4" -> buf.getFloat();
            case "<f8" -> buf.getDouble();
            case "<i4" -> buf.getInt();
            case "<i8" -> buf.getLong();
            default -> throw new IOException(source + ": unsupported dtype " + dtype);
          };
    }
    return new Array(dtype, shape, data);
  }

  private static String group(Pattern p, String header, String source) throws IOException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IOException(source + ": malformed .npy header: " + header.strip());
    }
    return m.group(1);
  }
}
