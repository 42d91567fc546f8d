package engram.data;

/**
 * NumPy's legacy {@code np.random.RandomState(seed)}: a Mersenne Twister (MT19937) seeded by {@code
 * init_genrand}, and {@code permutation} as NumPy draws it (Fisher-Yates from the last element,
 * each index drawn by masked rejection from 32-bit outputs). Released data generators seed it with
 * fixed integers, so reproducing their output exactly needs the same stream; NumPy keeps this one
 * frozen across versions for that reason.
 */
public final class NumpyRandomState {

  private static final int N = 624;
  private static final int M = 397;

  private final int[] mt = new int[N];
  private int index = N;

  /** {@code RandomState(seed)} for a seed in {@code [0, 2^32)}. */
  public NumpyRandomState(long seed) {
    if (seed < 0 || seed > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("a RandomState seed is in [0, 2^32), got " + seed);
    }
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
  }

  /** The next 32 bits of the stream, as an unsigned value. */
  public long nextUint32() {
    if (index >= N) {
      twist();
    }
    int y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9D2C5680;
    y ^= (y << 15) & 0xEFC60000;
    y ^= y >>> 18;
    return y & 0xFFFF_FFFFL;
  }

  private void twist() {
    for (int i = 0; i < N; i++) {
      int y = (mt[i] & 0x8000_0000) | (mt[(i + 1) % N] & 0x7FFF_FFFF);
      mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : 0x9908B0DF);
    }
    index = 0;
  }

  /** A uniform integer in {@code [0, max]}, as NumPy's {@code random_interval} draws it. */
  int interval(int max) {
    if (max == 0) {
      return 0;
    }
    long mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    long value;
    do {
      value = nextUint32() & mask;
    } while (value > max);
    return (int) value;
  }

  /** {@code permutation(n)}: a shuffled {@code 0 .. n-1}. */
  public int[] permutation(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    shuffle(a);
    return a;
  }

  /** {@code permutation(values)}: a shuffled copy. */
  public int[] permutation(int[] values) {
    int[] a = values.clone();
    shuffle(a);
    return a;
  }

  private void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = interval(i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
