package engram.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Against outputs recorded from NumPy 2.4.6 ({@code np.random.RandomState}). */
class NumpyRandomStateTest {

  @Test
  void permutationsAsNumpyDrawsThem() {
    // np.random.RandomState(42).permutation(10), the value every NumPy tutorial prints
    assertArrayEquals(
        new int[] {8, 1, 5, 0, 7, 2, 9, 4, 3, 6}, new NumpyRandomState(42).permutation(10));
    assertArrayEquals(new int[] {6, 2, 1, 3, 0, 5, 4}, new NumpyRandomState(0).permutation(7));
    assertArrayEquals(
        new int[] {3, 5, 4}, new NumpyRandomState(168).permutation(new int[] {3, 4, 5}));
    assertArrayEquals(
        new int[] {66, 32, 46, 28, 74, 23, 10, 20, 17, 35, 97, 37},
        Arrays.copyOf(new NumpyRandomState(5).permutation(100), 12));
    // past the first 624 outputs: the state is re-twisted
    assertArrayEquals(
        new int[] {7653, 66274, 9119, 10760, 43166, 24247},
        Arrays.copyOf(new NumpyRandomState(7).permutation(70_000), 6));
  }

  @Test
  void rawOutputsOfTheLargestSeed() {
    // RandomState(2**32 - 1).randint(0, 2**31) == 419326371: masked rejection keeps the low 31 bits
    // of
    // the first output
    NumpyRandomState r = new NumpyRandomState(0xFFFF_FFFFL);
    assertEquals(419326371L, r.nextUint32() & 0x7FFF_FFFFL);
    assertArrayEquals(new int[] {3, 1, 0, 2}, r.permutation(4));
  }

  @Test
  void rejectsSeedsNumpyRejects() {
    assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(-1));
    assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(1L << 32));
  }
}
