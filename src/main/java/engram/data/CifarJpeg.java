package engram.data;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The lossy JPEG copy of CIFAR-10 ({@code cifar-10-jpeg-q75.tar.gz}): all 60,000 images, decoded
 * with the JDK's JPEG reader. Training images follow the original order ({@code
 * jpeg_train_order.txt.gz}); test images are grouped by class (their original order is unknown).
 */
final class CifarJpeg {

  static final String ARCHIVE = "cifar-10-jpeg-q75.tar.gz";
  static final String ARCHIVE_SHA256 =
      "2d48e559d664d8b236a8ad09f080c869123da584b64964ea6760f3224f1bc2c9";
  static final String ORDER = "jpeg_train_order.txt.gz";
  static final String ORDER_SHA256 =
      "0c2c3e4446bca58d5f03b5dc1c3b749a2ba992dd375bf81a390e248a13da084d";

  /** Class names, by label. */
  static final List<String> CLASSES =
      List.of(
          "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  private CifarJpeg() {}

  static Cifar10.Loaded load(Path folder) throws DataException {
    Path archive = folder.resolve(ARCHIVE);
    Path order = folder.resolve(ORDER);
    Checksums.verify(archive, ARCHIVE_SHA256, false, Cifar10.FETCH_HINT);
    Checksums.verify(order, ORDER_SHA256, false, Cifar10.FETCH_HINT);
    Map<String, byte[]> files = entries(archive);
    List<String> trainNames = lines(order);
    List<String> testNames = new ArrayList<>();
    for (String c : CLASSES) {
      for (int i = 0; i < 1000; i++) {
        testNames.add(String.format("test/%s/%04d.jpg", c, i));
      }
    }
    return new Cifar10.Loaded(
        decode(archive, files, trainNames), decode(archive, files, testNames), Cifar10.Source.JPEG);
  }

  private static Cifar10 decode(Path archive, Map<String, byte[]> files, List<String> names)
      throws DataException {
    byte[] pixels = new byte[names.size() * Cifar10.PIXELS];
    byte[] labels = new byte[names.size()];
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      byte[] jpeg = files.get(name);
      String[] parts = name.split("/");
      int label = parts.length == 3 ? CLASSES.indexOf(parts[1]) : -1;
      if (jpeg == null || label < 0) {
        throw new DataException(archive, "has no image " + name + ". " + Cifar10.FETCH_HINT);
      }
      labels[i] = (byte) label;
      BufferedImage image;
      try {
        image = ImageIO.read(new ByteArrayInputStream(jpeg));
      } catch (IOException e) {
        image = null;
      }
      if (image == null || image.getWidth() != Cifar10.SIDE || image.getHeight() != Cifar10.SIDE) {
        throw new DataException(archive, name + " is not a 32x32 JPEG image");
      }
      int at = i * Cifar10.PIXELS;
      for (int y = 0; y < Cifar10.SIDE; y++) {
        for (int x = 0; x < Cifar10.SIDE; x++) {
          int rgb = image.getRGB(x, y);
          pixels[at++] = (byte) (rgb >> 16);
          pixels[at++] = (byte) (rgb >> 8);
          pixels[at++] = (byte) rgb;
        }
      }
    }
    return new Cifar10(pixels, labels);
  }

  private static Map<String, byte[]> entries(Path archive) throws DataException {
    Map<String, byte[]> out = new HashMap<>();
    try (InputStream raw = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw, 1 << 16))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile()) {
          out.put(e.getName(), tar.readAllBytes());
        }
      }
    } catch (IOException e) {
      throw new DataException(archive, "cannot be read (" + e.getMessage() + ")");
    }
    return out;
  }

  private static List<String> lines(Path file) throws DataException {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
      List<String> out = new ArrayList<>();
      for (String line; (line = in.readLine()) != null; ) {
        out.add(line.strip());
      }
      if (out.size() != 50_000) {
        throw new DataException(file, "has " + out.size() + " lines, expected 50,000");
      }
      return out;
    } catch (IOException e) {
      throw new DataException(file, "cannot be read (" + e.getMessage() + ")");
    }
  }
}
