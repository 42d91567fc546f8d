package engram.data;

/**
 * Which images make up each sequence of H-Mem's image-association task: the released generator's
 * algorithm ({@code data/image_association_data.py}, {@code _create_dataset} with 3 time steps and
 * seed 42), with images named by <i>pair id</i> {@code p = class * perClass + rank}, the rank-th
 * CIFAR-10 image of a class and the rank-th MNIST image of the digit with that number (the released
 * code pairs the first {@code perClass} images of every class, class by class).
 *
 * <ol>
 *   <li>The pairs form a grid of {@code perClass} rows (ranks) by 10 columns (classes). The first
 *       3/4 of the rows, read row by row, are cut into triplets, so a triplet holds 3 consecutive
 *       classes (mod 10); the last 1/4 are held out as queries.
 *   <li>Each triplet's first image is its target; the k-th triplet whose first image has class c is
 *       queried with the k-th held-out CIFAR image of class c, so a query never shows the stored
 *       image.
 *   <li>Re-pairing, in chunks of 3 triplets, chunk i: for each position j the chunk's triplets are
 *       permuted by {@code RandomState(42(i+1)+j)} and then {@code RandomState(42(i+3)+j)}; the
 *       positions are permuted by {@code RandomState(42(i+2))} for the CIFAR side and {@code
 *       RandomState(42(i+4))} for the MNIST side. (The released code shuffles its row indices in
 *       place, so both sides end up with the same composed row permutation: only the position
 *       permutations differ, which is why about a third of the pairs show a digit equal to their
 *       CIFAR class.) The query follows the CIFAR image that was the target; the label is the digit
 *       now at that image's position.
 *   <li>The sequences are shuffled by {@code RandomState(52)}.
 * </ol>
 */
public final class AssociationPairs {

  /** Stored pairs per sequence. */
  public static final int STEPS = 3;

  /** CIFAR-10 classes, MNIST digits. */
  public static final int CLASSES = 10;

  /** The released generator's seed. */
  static final long SEED = 42;

  private final int perClass;
  private final int[] cifar; // [n * STEPS] pair ids
  private final int[] mnist; // [n * STEPS] pair ids
  private final int[] query; // [n] pair ids (held-out ranks)
  private final int[] label; // [n] digits

  private AssociationPairs(int perClass, int[] cifar, int[] mnist, int[] query, int[] label) {
    this.perClass = perClass;
    this.cifar = cifar;
    this.mnist = mnist;
    this.query = query;
    this.label = label;
  }

  /**
   * The sequences for {@code perClass} pairs per class (released data: 5,000 for the training
   * files, giving 12,500 sequences; 892 for the test files, giving 2,230).
   */
  public static AssociationPairs generate(int perClass) {
    int stored = STEPS * perClass / (STEPS + 1); // ranks used for sequences; the rest are queries
    if (stored * CLASSES % STEPS != 0 || stored < 1) {
      throw new IllegalArgumentException(
          "the released generator needs 3/4 of "
              + perClass
              + " ranks times 10 classes to split into triplets");
    }
    int n = stored * CLASSES / STEPS / CLASSES * CLASSES;
    int heldOut = perClass - stored;

    // (2) The query of every triplet, before re-pairing: the next held-out image of its class.
    int[] queryOfRow = new int[n];
    int[] used = new int[CLASSES];
    for (int t = 0; t < n; t++) {
      int c = classOf(t, 0);
      int k = used[c]++;
      if (k >= n / CLASSES || k >= heldOut) {
        throw new IllegalStateException("class " + c + " has more triplets than queries");
      }
      queryOfRow[t] = c * perClass + stored + k;
    }

    // (3) Re-pairing inside chunks of 10 / 3 = 3 triplets.
    int chunk = CLASSES / STEPS;
    int[] cifar = new int[n * STEPS];
    int[] mnist = new int[n * STEPS];
    int[] query = new int[n];
    int[] label = new int[n];
    for (int i = 0, start = 0; start < n; i++, start += chunk) {
      int len = Math.min(chunk, n - start);
      int[] rows = new int[len];
      for (int k = 0; k < len; k++) {
        rows[k] = start + k;
      }
      int[][] rowOf = new int[STEPS][];
      for (int j = 0; j < STEPS; j++) {
        int[] first = new NumpyRandomState(SEED * (i + 1) + j).permutation(rows);
        rowOf[j] = new NumpyRandomState(SEED * (i + 3) + j).permutation(first);
      }
      int[] cifarPos = new NumpyRandomState(SEED * (i + 2)).permutation(STEPS);
      int[] mnistPos = new NumpyRandomState(SEED * (i + 4)).permutation(STEPS);
      for (int k = 0; k < len; k++) {
        int t = start + k;
        for (int j = 0; j < STEPS; j++) {
          cifar[t * STEPS + j] = pairId(rowOf[j][k], cifarPos[j], perClass);
          mnist[t * STEPS + j] = pairId(rowOf[j][k], mnistPos[j], perClass);
          if (cifarPos[j] == 0) { // the old target position
            query[t] = queryOfRow[rowOf[j][k]];
            label[t] = mnist[t * STEPS + j] / perClass;
          }
        }
      }
    }

    // (4) The final shuffle.
    int[] order = new NumpyRandomState(SEED + 10).permutation(n);
    int[] c2 = new int[n * STEPS];
    int[] m2 = new int[n * STEPS];
    int[] q2 = new int[n];
    int[] y2 = new int[n];
    for (int s = 0; s < n; s++) {
      int from = order[s];
      System.arraycopy(cifar, from * STEPS, c2, s * STEPS, STEPS);
      System.arraycopy(mnist, from * STEPS, m2, s * STEPS, STEPS);
      q2[s] = query[from];
      y2[s] = label[from];
    }
    return new AssociationPairs(perClass, c2, m2, q2, y2);
  }

  /** (1) Class of position j of triplet t: the grid read row by row. */
  private static int classOf(int t, int j) {
    return (t * STEPS + j) % CLASSES;
  }

  /** (1) Pair id of position {@code col} of triplet {@code row}. */
  private static int pairId(int row, int col, int perClass) {
    int flat = row * STEPS + col;
    return (flat % CLASSES) * perClass + flat / CLASSES;
  }

  /** Number of sequences. */
  public int size() {
    return label.length;
  }

  /** Pairs per class the ids refer to. */
  public int perClass() {
    return perClass;
  }

  /** Pair id of the CIFAR image stored at position {@code step} of sequence {@code s}. */
  public int cifar(int s, int step) {
    return cifar[s * STEPS + step];
  }

  /** Pair id of the MNIST digit stored at position {@code step} of sequence {@code s}. */
  public int mnist(int s, int step) {
    return mnist[s * STEPS + step];
  }

  /** Pair id of sequence {@code s}'s query, a held-out CIFAR image. */
  public int query(int s) {
    return query[s];
  }

  /** The digit stored with the query's class: what sequence {@code s} must answer. */
  public int label(int s) {
    return label[s];
  }

  /** The class (CIFAR) or digit (MNIST) a pair id stands for. */
  public int classOfPair(int pairId) {
    return pairId / perClass;
  }

  /** The rank of a pair id among the images of its class. */
  public int rankOfPair(int pairId) {
    return pairId % perClass;
  }

  /** Share of the stored pairs whose digit equals the number of their CIFAR class. */
  public double digitEqualsClass() {
    int same = 0;
    for (int i = 0; i < cifar.length; i++) {
      same += classOfPair(cifar[i]) == classOfPair(mnist[i]) ? 1 : 0;
    }
    return same / (double) cifar.length;
  }

  /**
   * Accuracy here of the best memory-free guess learnt on {@code fit}: for each query class the
   * digit most often the answer there. What a model that cannot bind can reach.
   */
  public double queryClassBaseline(AssociationPairs fit) {
    int[][] counts = new int[CLASSES][CLASSES];
    for (int s = 0; s < fit.size(); s++) {
      counts[fit.classOfPair(fit.query(s))][fit.label(s)]++;
    }
    int[] guess = new int[CLASSES];
    for (int c = 0; c < CLASSES; c++) {
      for (int d = 1; d < CLASSES; d++) {
        guess[c] = counts[c][d] > counts[c][guess[c]] ? d : guess[c];
      }
    }
    int right = 0;
    for (int s = 0; s < size(); s++) {
      right += guess[classOfPair(query(s))] == label(s) ? 1 : 0;
    }
    return right / (double) size();
  }
}
