package engram.bench;

import engram.data.Dataset;
import engram.data.Feature;
import engram.data.Target;
import engram.models.ModelType;
import java.util.List;
import java.util.SplittableRandom;

/** Uniform random inputs of the spec's shapes and random labels, a few batches' worth. */
final class RandomData implements Dataset {
  /** Batches of examples it holds; the timed steps cycle through them. */
  static final int BATCHES = 4;

  private final StepSpec spec;
  private final List<Feature> inputs;
  private final float[] x;
  private final int[][] words;
  private final int[] labels;
  private final int[] nextTokens; // a language model's per-step targets

  RandomData(StepSpec spec) {
    this.spec = spec;
    this.inputs = spec.inputs();
    int n = spec.batch() * BATCHES;
    SplittableRandom random = new SplittableRandom(spec.seed());
    labels = random.ints(n, 0, spec.numClasses()).toArray();
    nextTokens =
        spec.languageModel()
            ? random.ints((long) n * spec.seq(), 0, spec.vocabulary()).toArray()
            : null;
    if (spec.model() == ModelType.HMEM || spec.languageModel()) {
      x = null;
      // Word 0 is padding; ids 1..V-1 are words.
      words = new int[inputs.size()][];
      for (int i = 0; i < words.length; i++) {
        int first = spec.languageModel() ? 0 : 1; // bAbI's word 0 is padding
        words[i] = random.ints((long) n * inputs.get(i).size(), first, spec.vocabulary()).toArray();
      }
    } else {
      words = null;
      x = new float[n * inputs.get(0).size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextDouble();
      }
    }
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int numClasses() {
    return spec.numClasses();
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  @Override
  public Target target() {
    return spec.target();
  }

  @Override
  public void copyTargets(int index, int[] dst, int offset) {
    if (nextTokens == null) {
      dst[offset] = labels[index];
    } else {
      System.arraycopy(nextTokens, index * spec.seq(), dst, offset, spec.seq());
    }
  }

  @Override
  public List<Feature> inputs() {
    return inputs;
  }

  @Override
  public void copyFloats(int input, int index, float[] dst, int offset) {
    int size = inputs.get(input).size();
    System.arraycopy(x, index * size, dst, offset, size);
  }

  @Override
  public void copyInts(int input, int index, int[] dst, int offset) {
    int size = inputs.get(input).size();
    System.arraycopy(words[input], index * size, dst, offset, size);
  }
}
