package engram.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads and verifies CIFAR-10's canonical binary batches, whole or the shared exact subset. */
final class CifarFiles {

  /** Records per canonical batch file. */
  static final int BATCH = 10_000;

  /** SHA-256 of the first 4,000 records of data_batch_1.bin and the first 1,000 of test_batch. */
  static final String TRAIN_4000_SHA256 =
      "0993cf8b8e43bc207603aef9787006995746513f5e3fa5a52e06d1b069926330";

  static final String TEST_1000_SHA256 =
      "8314c96d7cd65618193bab23acdd5d4c4af15bf6dd00a1781d55beedf3be1ef5";

  /** Label counts of data_batch_1 (classes 0..9), as published with the release. */
  static final int[] BATCH_1_COUNTS = {1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981};

  private CifarFiles() {}

  /** The five training batches and the test batch from {@code folder/cifar-10-batches-bin/}. */
  static Cifar10.Loaded binary(Path folder) throws DataException {
    Path dir = folder.resolve("cifar-10-batches-bin");
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir, "directory not found. " + Cifar10.FETCH_HINT);
    }
    Cifar10[] train = new Cifar10[5];
    for (int k = 1; k <= 5; k++) {
      Path file = dir.resolve("data_batch_" + k + ".bin");
      byte[] records = batch(file);
      if (k == 1) {
        check(file, records, 4000, TRAIN_4000_SHA256);
      }
      train[k - 1] = Cifar10.fromRecords(records, BATCH);
      if (k == 1 && !Arrays.equals(train[0].classCounts(), BATCH_1_COUNTS)) {
        throw new DataException(
            file, "label counts differ from the release. " + Cifar10.FETCH_HINT);
      }
    }
    Path testFile = dir.resolve("test_batch.bin");
    byte[] test = batch(testFile);
    check(testFile, test, 1000, TEST_1000_SHA256);
    Cifar10 all = Cifar10.concat(train);
    Cifar10 testSet = Cifar10.fromRecords(test, BATCH);
    balanced(dir.resolve("data_batch_*.bin"), all, 5000);
    balanced(testFile, testSet, 1000);
    return new Cifar10.Loaded(all, testSet, Cifar10.Source.BINARY);
  }

  /** The shared exact records: 4,000 training and 1,000 test images. */
  static Cifar10.Loaded subset(Path folder) throws DataException {
    Path trainFile = folder.resolve("data_batch_1.first4000.bin.gz");
    Path testFile = folder.resolve("test_batch.first1000.bin.gz");
    byte[] train = Cifar10.readAll(trainFile, true);
    byte[] test = Cifar10.readAll(testFile, true);
    check(trainFile, train, 4000, TRAIN_4000_SHA256);
    check(testFile, test, 1000, TEST_1000_SHA256);
    if (train.length != 4000 * Cifar10.RECORD || test.length != 1000 * Cifar10.RECORD) {
      throw new DataException(trainFile, "holds the wrong number of records");
    }
    return new Cifar10.Loaded(
        Cifar10.fromRecords(train, 4000), Cifar10.fromRecords(test, 1000), Cifar10.Source.SUBSET);
  }

  private static byte[] batch(Path file) throws DataException {
    byte[] records = Cifar10.readAll(file, false);
    if (records.length != BATCH * Cifar10.RECORD) {
      throw new DataException(
          file,
          "is "
              + records.length
              + " bytes, not "
              + BATCH * Cifar10.RECORD
              + " (10,000 records of 3,073). "
              + Cifar10.FETCH_HINT);
    }
    return records;
  }

  /** Checks the SHA-256 of the first {@code count} records of {@code data}. */
  private static void check(Path file, byte[] data, int count, String sha256) throws DataException {
    int n = count * Cifar10.RECORD;
    String got = n <= data.length ? Checksums.sha256(data, n) : "(too short)";
    if (!got.equals(sha256)) {
      throw new DataException(
          file,
          "the first "
              + count
              + " records have SHA-256 "
              + got
              + ", expected "
              + sha256
              + ". "
              + Cifar10.FETCH_HINT);
    }
  }

  private static void balanced(Path file, Cifar10 set, int perClass) throws DataException {
    for (int c : set.classCounts()) {
      if (c != perClass) {
        throw new DataException(
            file,
            "label counts "
                + Arrays.toString(set.classCounts())
                + ", expected "
                + perClass
                + " per class. "
                + Cifar10.FETCH_HINT);
      }
    }
  }
}
