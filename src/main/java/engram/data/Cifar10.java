package engram.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * CIFAR-10 as the ENN notebook reads it: 32x32 RGB images, rows as time steps, each step the 32
 * pixels of a row with their channels interleaved ({@code r,g,b,r,g,b,...}: T = 32, D = 96), scaled
 * to {@code [0, 1]}; labels 0..9 (airplane .. truck).
 *
 * <p>Three sources, all under {@code <dataDir>/cifar-10/}:
 *
 * <ul>
 *   <li>{@link Source#BINARY}: the canonical binary batches ({@code cifar-10-batches-bin/}: {@code
 *       data_batch_1..5.bin}, {@code test_batch.bin}; 10,000 records of 3,073 bytes each: a label
 *       byte, then the red, green and blue planes). Checked: each file's size, the SHA-256 of the
 *       records the shared subset holds, and every batch's label counts.
 *   <li>{@link Source#SUBSET}: exact canonical records, the first 4,000 of {@code data_batch_1} and
 *       the first 1,000 of {@code test_batch} (SHA-256 checked).
 *   <li>{@link Source#JPEG}: a lossy JPEG (quality 75) copy of all 60,000 images, in the original
 *       training order; <b>not CIFAR-10</b>: every run that uses it says so.
 * </ul>
 */
public final class Cifar10 implements SequenceDataset {

  public static final int SIDE = 32;
  public static final int CHANNELS = 3;
  public static final int NUM_CLASSES = 10;
  static final int PIXELS = SIDE * SIDE * CHANNELS;
  static final int RECORD = 1 + PIXELS;

  /** Sub-directory of the data directory. */
  public static final String DIR_NAME = "cifar-10";

  static final String FETCH_HINT =
      "Fetch CIFAR-10 with data-loaders/cifar10.sh <data-dir>, or set data.source to subset (the"
          + " exact first 5,000 records) or jpeg (a lossy copy of all 60,000).";

  /** Where the images come from. */
  public enum Source {
    BINARY,
    SUBSET,
    JPEG;

    /** Parses {@code binary|subset|jpeg}. */
    public static Source parse(String s) {
      for (Source v : values()) {
        if (v.name().equalsIgnoreCase(s)) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "data.source must be binary, subset or jpeg, got '" + s + "'");
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The training and test images of one source. */
  public record Loaded(Cifar10 train, Cifar10 test, Source source) {}

  private final byte[] pixels; // n * 3072, interleaved: [row][col][channel]
  private final byte[] labels;

  Cifar10(byte[] pixels, byte[] labels) {
    if (pixels.length != labels.length * PIXELS) {
      throw new IllegalArgumentException("pixels for " + labels.length + " images expected");
    }
    this.pixels = pixels;
    this.labels = labels;
  }

  /** Reads {@code source} from {@code dataDir/cifar-10/}, verifying what it reads. */
  public static Loaded load(Path dataDir, Source source) throws DataException {
    Path folder = dataDir.resolve(DIR_NAME);
    return switch (source) {
      case BINARY -> CifarFiles.binary(folder);
      case SUBSET -> CifarFiles.subset(folder);
      case JPEG -> CifarJpeg.load(folder);
    };
  }

  /**
   * Images from canonical records ({@code count} records of 3,073 bytes): the label, then the
   * planes, re-laid as interleaved rows.
   */
  static Cifar10 fromRecords(byte[] records, int count) {
    byte[] labels = new byte[count];
    byte[] pixels = new byte[count * PIXELS];
    int plane = SIDE * SIDE;
    for (int i = 0; i < count; i++) {
      int at = i * RECORD;
      labels[i] = records[at];
      for (int c = 0; c < CHANNELS; c++) {
        for (int p = 0; p < plane; p++) {
          pixels[i * PIXELS + p * CHANNELS + c] = records[at + 1 + c * plane + p];
        }
      }
    }
    return new Cifar10(pixels, labels);
  }

  /** Several batches as one dataset, in order. */
  static Cifar10 concat(Cifar10... parts) {
    int n = Arrays.stream(parts).mapToInt(Cifar10::size).sum();
    byte[] pixels = new byte[n * PIXELS];
    byte[] labels = new byte[n];
    int at = 0;
    for (Cifar10 p : parts) {
      System.arraycopy(p.pixels, 0, pixels, at * PIXELS, p.pixels.length);
      System.arraycopy(p.labels, 0, labels, at, p.labels.length);
      at += p.size();
    }
    return new Cifar10(pixels, labels);
  }

  /** Images per class, for checks. */
  int[] classCounts() {
    int[] counts = new int[NUM_CLASSES];
    for (byte l : labels) {
      counts[l]++;
    }
    return counts;
  }

  /** The channel value (0..255) at {@code row, col, channel} of image {@code index}. */
  public int value(int index, int row, int col, int channel) {
    return pixels[index * PIXELS + (row * SIDE + col) * CHANNELS + channel] & 0xFF;
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int numClasses() {
    return NUM_CLASSES;
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  @Override
  public int timeSteps() {
    return SIDE;
  }

  @Override
  public int features() {
    return SIDE * CHANNELS;
  }

  @Override
  public void copyExample(int index, float[] dst, int offset) {
    Objects.checkIndex(index, size());
    int base = index * PIXELS;
    for (int i = 0; i < PIXELS; i++) {
      dst[offset + i] = (pixels[base + i] & 0xFF) / 255f;
    }
  }

  /** The whole (gunzipped when {@code gzip}) content of {@code file}. */
  static byte[] readAll(Path file, boolean gzip) throws DataException {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (java.nio.file.NoSuchFileException e) {
      throw new DataException(file, "not found. " + FETCH_HINT);
    } catch (IOException e) {
      throw new DataException(file, "cannot be read (" + e.getMessage() + "). " + FETCH_HINT);
    }
  }
}
