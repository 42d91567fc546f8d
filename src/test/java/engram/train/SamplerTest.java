package engram.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The draw from softmax(logits / temperature), against the probabilities computed by hand. */
class SamplerTest {

  @Test
  void drawsFromTheTemperedSoftmax() {
    float ln3 = (float) Math.log(3);
    float[] logits = {0f, ln3, -50f};
    assertEquals(1, Sampler.draw(logits, 0, new SplittableRandom(1)), "temperature 0: arg-max");
    // T = 1: p = (1, 3, ~0) / 4; T = 0.5: p proportional to (1, 9, ~0), so 0.9.
    assertEquals(0.75, frequencyOfOne(logits, 1.0), 0.015);
    assertEquals(0.9, frequencyOfOne(logits, 0.5), 0.01);
    assertThrows(IllegalArgumentException.class, () -> Sampler.draw(logits, -1, null));
  }

  private static double frequencyOfOne(float[] logits, double temperature) {
    SplittableRandom random = new SplittableRandom(7);
    int n = 20_000;
    int ones = 0;
    for (int i = 0; i < n; i++) {
      ones += Sampler.draw(logits, temperature, random) == 1 ? 1 : 0;
    }
    return (double) ones / n;
  }
}
