package engram.train;

import engram.cells.NoiseSource;
import engram.cells.State;
import engram.models.Rnn;
import engram.models.SequenceModel;
import engram.nn.Param;
import engram.ops.GraphWalk;
import engram.ops.SeedStream;
import engram.ops.Shapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Back-propagation through time in windows of k steps, for sequences too long to unroll into one
 * graph (graph size, XLA compile time). The graph holds one middle window of k steps and the last
 * window of r = T - (n-1)k steps (with the head), whatever T is; a step runs them n times. The
 * gradient is the whole sequence's, exactly as full BPTT would give it: the window boundaries only
 * checkpoint the carry, and each middle window is recomputed during the backward sweep.
 *
 * <pre>
 *   forward   S_0 = init;   S_{w+1} = F(S_w, x_w)                      w = 0 .. n-2  (S_w kept)
 *   last      L = loss(head(F(S_{n-1}, x_{n-1})));   G = dL/dθ,   D = dL/dS_{n-1}
 *   backward  G += (dS_{w+1}/dθ)^T D,   D = (dS_{w+1}/dS_w)^T D          w = n-2 .. 0  (F rerun)
 * </pre>
 *
 * With {@code truncate} the backward sweep is skipped: G comes from the last window's steps only
 * (truncated BPTT), for about half the compute. Window w draws its noise from the step seed offset
 * by w times {@link #SEED_STRIDE}, and its recomputation uses the same seed, so forward and
 * backward see the same draws.
 */
public final class BpttWindows<T extends TFloating> {

  /** Seed offset between windows: far more than the draws one window makes. */
  static final long SEED_STRIDE = 1L << 16;

  private final Graph graph;
  private final Ops tf;
  private final int window;
  private final int count;
  private final int lastLength;
  private final Placeholder<TInt64> seed;
  private final Placeholder<T> middleX;
  private final Placeholder<T> lastX;
  private final List<Operand<T>> initial;
  private final List<Placeholder<T>> middleIn;
  private final List<Operand<T>> middleOut;
  private final List<Placeholder<T>> lastIn;
  private final Operand<T> logits;
  private final Map<String, Operand<T>> middleMemory;
  private final Map<String, Operand<T>> lastMemory;
  // Built by differentiate().
  private List<Output<?>> lastGradients;
  private List<Output<?>> lastDIn;
  private List<Integer> middleParams;
  private List<Placeholder<T>> middleDOut;
  private List<Placeholder<T>> middleAccIn;
  private List<Operand<T>> middleAccOut;
  private List<Output<?>> middleDIn;

  /**
   * Builds the windows of {@code model} over sequences of {@code model.timeSteps()} steps of {@code
   * features} inputs.
   *
   * @param window k, at least 1 and less than T
   * @param training dropout in the head; noise and seeds as for the whole-sequence graph
   * @param seed the step-seed placeholder the {@code noise} and {@code seeds} draw from
   */
  public BpttWindows(
      Ops tf,
      SequenceModel<T> model,
      Class<T> type,
      int features,
      int window,
      boolean training,
      NoiseSource noise,
      SeedStream seeds,
      Placeholder<TInt64> seed) {
    int timeSteps = model.timeSteps();
    if (window < 1 || window >= timeSteps) {
      throw new IllegalArgumentException(
          "a BPTT window must be between 1 and T - 1 = "
              + (timeSteps - 1)
              + " steps, got "
              + window
              + " (0 = the whole sequence in one graph)");
    }
    this.graph = (Graph) tf.scope().env();
    this.tf = tf;
    this.window = window;
    this.count = (timeSteps + window - 1) / window;
    this.lastLength = timeSteps - (count - 1) * window;
    this.seed = seed;

    Ops last = tf.withSubScope("last_window");
    lastX = last.withName("x").placeholder(type, WindowStates.shapeOf(-1, lastLength, features));
    Operand<TInt32> batchSize = Shapes.batchSize(last, lastX);
    List<State<T>> init = model.initialStates(tf.withSubScope("initial_state"), batchSize, noise);
    initial = WindowStates.flatten(init);

    Ops middle = tf.withSubScope("window");
    middleX = middle.withName("x").placeholder(type, WindowStates.shapeOf(-1, window, features));
    List<State<T>> middleStates = WindowStates.placeholders(middle, init, "in");
    middleIn = WindowStates.placeholdersOf(middleStates);
    List<Rnn.Sequence<T>> middleRun = model.run(middle, middleX, window, middleStates, noise);
    middleOut = WindowStates.flatten(WindowStates.finalStates(middleRun));
    middleMemory = model.memory(middle, middleRun);

    List<State<T>> lastStates = WindowStates.placeholders(last, init, "in");
    lastIn = WindowStates.placeholdersOf(lastStates);
    List<Rnn.Sequence<T>> lastRun = model.run(last, lastX, lastLength, lastStates, noise);
    Rnn.Sequence<T> top = lastRun.get(lastRun.size() - 1);
    logits = model.head(last, top.last(), batchSize, training, seeds);
    lastMemory = model.memory(last, lastRun);
  }

  /** Number of windows n. */
  public int count() {
    return count;
  }

  /** Steps in window {@code w}: k, except the last (r). */
  public int length(int w) {
    return w == count - 1 ? lastLength : window;
  }

  /** First step of window {@code w}. */
  public int start(int w) {
    return w * window;
  }

  /** The class logits {@code [B, C]} from the last window. */
  public Operand<T> logits() {
    return logits;
  }

  /**
   * Adds the gradients of {@code objective} (a scalar computed from {@link #logits()}) with respect
   * to {@code params}, through all windows.
   *
   * @param batchedWeightGradients see {@link TrainingPaths#gradients}
   */
  public void differentiate(
      Operand<T> objective, List<Param<T>> params, boolean batchedWeightGradients) {
    List<Output<?>> xs = new ArrayList<>();
    params.forEach(p -> xs.add(p.value().asOutput()));
    lastIn.forEach(p -> xs.add(p.asOutput()));
    Output<?>[] grads =
        TrainingPaths.gradients(
            graph,
            tf.scope().makeOpName("last_window_gradients"),
            objective,
            xs,
            batchedWeightGradients);
    lastGradients = List.of(grads).subList(0, params.size());
    lastDIn = List.of(grads).subList(params.size(), grads.length);
    for (int i = 0; i < params.size(); i++) {
      if (grads[i] == null || grads[i].isClosed()) {
        throw new IllegalStateException(
            "parameter " + params.get(i).name() + " does not influence the loss");
      }
    }

    // The middle window reaches the cells' weights but not the head's.
    Set<String> reached = GraphWalk.ancestors(middleOut);
    middleParams = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      if (reached.contains(params.get(i).value().op().name())) {
        middleParams.add(i);
      }
    }
    Ops back = tf.withSubScope("window_backprop");
    middleDOut = new ArrayList<>();
    for (Operand<T> out : middleOut) {
      middleDOut.add(
          back.withName("d_out").placeholder(out.type(), WindowStates.shapeOf(out.shape())));
    }
    // One scalar y = sum_i <S_out_i, D_i>, whose gradient is sum_i J_i^T D_i. Not addGradients'
    // dx over the outputs: with several ys where one feeds another (an LSTM's c feeds its h) the
    // C++ builder gives wrong sums.
    List<Operand<T>> products = new ArrayList<>();
    for (int i = 0; i < middleOut.size(); i++) {
      Operand<T> prod = back.math.mul(middleOut.get(i), middleDOut.get(i));
      products.add(
          back.sum(
              prod, back.constant(Shapes.allAxes(prod, "window state of unknown rank: " + prod))));
    }
    Operand<T> dot = products.size() == 1 ? products.get(0) : back.math.addN(products);
    List<Output<?>> mx = new ArrayList<>();
    middleParams.forEach(i -> mx.add(params.get(i).value().asOutput()));
    middleIn.forEach(p -> mx.add(p.asOutput()));
    Output<?>[] mg =
        TrainingPaths.gradients(
            graph, tf.scope().makeOpName("window_gradients"), dot, mx, batchedWeightGradients);
    middleAccIn = new ArrayList<>();
    middleAccOut = new ArrayList<>();
    for (int j = 0; j < middleParams.size(); j++) {
      Param<T> p = params.get(middleParams.get(j));
      Placeholder<T> acc =
          back.withName("accumulated")
              .placeholder(p.value().type(), WindowStates.shapeOf(p.shape()));
      middleAccIn.add(acc);
      @SuppressWarnings("unchecked")
      Operand<T> g = (Operand<T>) mg[j];
      middleAccOut.add(back.math.add(acc, g));
    }
    middleDIn = List.of(mg).subList(middleParams.size(), mg.length);
  }

  /**
   * The gradients of one batch, and what the last window's run fetched. Holds the fetched tensors
   * open until closed.
   */
  public static final class Pass implements AutoCloseable {
    private final List<Result> results = new ArrayList<>();
    private final List<Tensor> owned = new ArrayList<>();
    private List<Tensor> gradients;
    private Result last;
    private RunMetadata metadata;

    /** The gradient of every parameter, in {@link #differentiate}'s order. */
    public List<Tensor> gradients() {
      return gradients;
    }

    /** The last window's run: its first fetches are the caller's, in order. */
    public Result last() {
      return last;
    }

    /** Trace of the last window's run, when asked for. */
    public RunMetadata metadata() {
      return metadata;
    }

    @Override
    public void close() {
      results.forEach(Result::close);
      owned.forEach(Tensor::close);
    }
  }

  /**
   * Runs the windows over one batch. {@code xs} holds each window's inputs ({@link #length} steps,
   * from {@link #start}); {@code feeds} adds the caller's own feeds (labels, learning rate) to
   * every run; the last window's run fetches {@code fetches} first.
   *
   * @param gradients run the backward sweep (else forward only, for evaluation)
   * @param truncate with gradients: stop after the last window (truncated BPTT)
   */
  public Pass run(
      Session session,
      List<? extends Tensor> xs,
      long[] stepSeed,
      Consumer<Session.Runner> feeds,
      List<? extends Operand<?>> fetches,
      boolean gradients,
      boolean truncate,
      RunOptions options) {
    if (xs.size() != count) {
      throw new IllegalArgumentException("need " + count + " windows of input, got " + xs.size());
    }
    if (gradients && lastGradients == null) {
      throw new IllegalStateException("differentiate() was not called");
    }
    Pass pass = new Pass();
    try {
      List<List<Tensor>> states = forward(session, xs, stepSeed, feeds, pass);
      Session.Runner r = feedLast(session.runner(), xs.get(count - 1), states.get(count - 1));
      r.feed(seed, seedOf(pass, stepSeed, count - 1));
      feeds.accept(r);
      fetches.forEach(r::fetch);
      if (gradients) {
        lastGradients.forEach(r::fetch);
        lastDIn.forEach(r::fetch);
      }
      if (options != null) {
        r.setOptions(options);
      }
      pass.last = options != null ? r.runAndFetchMetadata() : r.run();
      pass.results.add(pass.last);
      if (options != null) {
        pass.metadata = pass.last.getMetadata().orElse(null);
      }
      if (!gradients) {
        return pass;
      }
      int at = fetches.size();
      List<Tensor> g = new ArrayList<>();
      for (int i = 0; i < lastGradients.size(); i++) {
        g.add(pass.last.get(at + i));
      }
      List<Tensor> d = new ArrayList<>();
      for (int i = 0; i < lastDIn.size(); i++) {
        d.add(pass.last.get(at + lastGradients.size() + i));
      }
      for (int w = count - 2; w >= 0 && !truncate; w--) {
        Session.Runner b = middle(session.runner(), pass, xs.get(w), states.get(w), stepSeed, w);
        feeds.accept(b);
        feedAll(b, middleDOut, d);
        for (int j = 0; j < middleParams.size(); j++) {
          b.feed(middleAccIn.get(j), g.get(middleParams.get(j)));
        }
        middleAccOut.forEach(b::fetch);
        middleDIn.forEach(b::fetch);
        List<Tensor> out = fetchAll(pass, b, 0, middleAccOut.size() + middleDIn.size());
        for (int j = 0; j < middleParams.size(); j++) {
          g.set(middleParams.get(j), out.get(j));
        }
        d = out.subList(middleParams.size(), out.size());
      }
      pass.gradients = g;
      return pass;
    } catch (RuntimeException e) {
      pass.close();
      throw e;
    }
  }

  /** The carry entering each window: S_0 .. S_{n-1} (each the flattened states of all layers). */
  private List<List<Tensor>> forward(
      Session session,
      List<? extends Tensor> xs,
      long[] stepSeed,
      Consumer<Session.Runner> feeds,
      Pass pass) {
    List<List<Tensor>> states = new ArrayList<>();
    Session.Runner init =
        session.runner().feed(lastX, xs.get(count - 1)).feed(seed, seedOf(pass, stepSeed, 0));
    feeds.accept(init);
    initial.forEach(init::fetch);
    states.add(fetchAll(pass, init, 0, initial.size()));
    for (int w = 0; w + 1 < count; w++) {
      Session.Runner r = middle(session.runner(), pass, xs.get(w), states.get(w), stepSeed, w);
      feeds.accept(r);
      middleOut.forEach(r::fetch);
      states.add(fetchAll(pass, r, 0, middleOut.size()));
    }
    return states;
  }

  /** The carry entering the last window, S_{n-1}; the tensors live until {@code pass} closes. */
  public List<Tensor> carry(
      Session session,
      List<? extends Tensor> xs,
      long[] stepSeed,
      Consumer<Session.Runner> feeds,
      Pass pass) {
    return forward(session, xs, stepSeed, feeds, pass).get(count - 1);
  }

  /** Feeds the last window its input {@code x} and the carry {@code state}. */
  public Session.Runner feedLast(Session.Runner r, Tensor x, List<Tensor> state) {
    r.feed(lastX, x);
    feedAll(r, lastIn, state);
    return r;
  }

  /**
   * The model's memory ({@link SequenceModel#memory}) over the whole sequence, window by window:
   * for each entry, the windows' tensors in order ({@code [length(w), ...]} each, to be joined
   * along their first axis). They live until {@code pass} closes.
   */
  public Map<String, List<Tensor>> memory(
      Session session,
      List<? extends Tensor> xs,
      long[] stepSeed,
      Consumer<Session.Runner> feeds,
      Pass pass) {
    List<String> names = new ArrayList<>(lastMemory.keySet());
    Map<String, List<Tensor>> out = new LinkedHashMap<>();
    names.forEach(n -> out.put(n, new ArrayList<>()));
    List<List<Tensor>> states = forward(session, xs, stepSeed, feeds, pass);
    for (int w = 0; w < count; w++) {
      boolean last = w == count - 1;
      Session.Runner r =
          last
              ? feedLast(session.runner(), xs.get(w), states.get(w))
                  .feed(seed, seedOf(pass, stepSeed, w))
              : middle(session.runner(), pass, xs.get(w), states.get(w), stepSeed, w);
      feeds.accept(r);
      names.forEach(n -> r.fetch((last ? lastMemory : middleMemory).get(n)));
      List<Tensor> got = fetchAll(pass, r, 0, names.size());
      for (int i = 0; i < names.size(); i++) {
        out.get(names.get(i)).add(got.get(i));
      }
    }
    return out;
  }

  /** Whether the model exposes its memory. */
  public boolean hasMemory() {
    return !lastMemory.isEmpty();
  }

  private Session.Runner middle(
      Session.Runner r, Pass pass, Tensor x, List<Tensor> state, long[] stepSeed, int w) {
    r.feed(middleX, x).feed(seed, seedOf(pass, stepSeed, w));
    feedAll(r, middleIn, state);
    return r;
  }

  private static TInt64 seedOf(Pass pass, long[] stepSeed, int w) {
    TInt64 t = TInt64.vectorOf(stepSeed[0] + w * SEED_STRIDE, stepSeed[1]);
    pass.owned.add(t);
    return t;
  }

  private static List<Tensor> fetchAll(Pass pass, Session.Runner r, int from, int n) {
    Result result = r.run();
    pass.results.add(result);
    List<Tensor> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(result.get(from + i));
    }
    return out;
  }

  private static <T extends TFloating> void feedAll(
      Session.Runner r, List<Placeholder<T>> to, List<Tensor> values) {
    for (int i = 0; i < to.size(); i++) {
      r.feed(to.get(i), values.get(i));
    }
  }
}
