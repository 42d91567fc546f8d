package engram.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * The variables of one model, created in a fixed order under scoped names.
 *
 * <p>Names are API: checkpoints, SavedModel signatures and Keras weight import look variables up by
 * them, so they follow Keras ({@code kernel}, {@code recurrent_kernel}, {@code bias}, {@code
 * gamma}, {@code beta}). Each variable's initializer draws from seed {@code [seed, k]}, k its
 * creation index, so the same seed and the same model always start from the same weights.
 *
 * <p>Instances returned by {@link #child} share the parent's registry. A mixed-precision set
 * ({@link #mixed}) creates each variable in its float32 {@link #masters()} set and hands out a view
 * whose value is that variable's read cast to the set's type.
 */
public final class ParamSet<T extends TFloating> {

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*");

  private final Ops root;
  private final Class<T> type;
  private final long seed;
  private final Map<String, Param<T>> registry;
  private final List<String> path;
  private final ParamSet<TFloat32> masters;

  private ParamSet(
      Ops root,
      Class<T> type,
      long seed,
      Map<String, Param<T>> registry,
      List<String> path,
      ParamSet<TFloat32> masters) {
    this.root = root;
    this.type = type;
    this.seed = seed;
    this.registry = registry;
    this.path = path;
    this.masters = masters;
  }

  /** An empty set whose variables live in {@code tf}'s graph. */
  public static <T extends TFloating> ParamSet<T> create(Ops tf, Class<T> type, long seed) {
    return new ParamSet<>(tf, type, seed, new LinkedHashMap<>(), List.of(), null);
  }

  /**
   * An empty mixed-precision set: float32 variables (the same names and initial values as {@link
   * #create} gives) read by the model as {@code compute} (bfloat16).
   */
  public static <T extends TFloating> ParamSet<T> mixed(Ops tf, Class<T> compute, long seed) {
    ParamSet<TFloat32> masters = create(tf, TFloat32.class, seed);
    return new ParamSet<>(tf, compute, seed, new LinkedHashMap<>(), List.of(), masters);
  }

  /** The float32 set that holds a mixed set's variables; this set itself otherwise. */
  public ParamSet<? extends TFloating> masters() {
    return masters == null ? this : masters;
  }

  /** A view that creates variables under {@code scope/}. */
  public ParamSet<T> child(String scope) {
    checkSegment(scope);
    List<String> childPath = new ArrayList<>(path);
    childPath.add(scope);
    return new ParamSet<>(
        root,
        type,
        seed,
        registry,
        List.copyOf(childPath),
        masters == null ? null : masters.child(scope));
  }

  /** The floating type of every variable. */
  public Class<T> type() {
    return type;
  }

  /**
   * Creates variable {@code <scope>/name} of {@code shape}, initialised by {@code initializer} when
   * the session first runs (unless restored from a checkpoint).
   */
  public Param<T> create(String name, Initializer initializer, boolean trainable, long... shape) {
    checkSegment(name);
    String fullName = path.isEmpty() ? name : String.join("/", path) + "/" + name;
    if (registry.containsKey(fullName)) {
      throw new IllegalArgumentException("parameter " + fullName + " already exists");
    }
    for (long d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException(
            "parameter "
                + fullName
                + ": dimensions must be > 0, got "
                + java.util.Arrays.toString(shape));
      }
    }
    if (masters != null) {
      // The cast is named at the root: a sub-scope here would shift TF-Java's scope numbering,
      // and the variables' names must be those of a float32 run (checkpoints, export, import).
      Param<TFloat32> master = masters.create(name, initializer, trainable, shape);
      String castName = fullName.replace('/', '_') + "_" + type.getSimpleName();
      Param<T> view = Param.view(master, root.withName(castName).dtypes.cast(master.value(), type));
      registry.put(fullName, view);
      return view;
    }
    Ops scoped = root;
    for (String segment : path) {
      scoped = scoped.withSubScope(segment);
    }
    // Initial values, variable and assignment live in the init scope: the session runs them once,
    // and Session.restore marks them as done, so a resumed run keeps its trained weights.
    Ops init = scoped.withInitScope();
    Operand<TInt64> initSeed =
        init.withName(name + "_seed").constant(new long[] {seed, registry.size() + 1L});
    Operand<T> initial =
        initializer.create(init.withSubScope(name + "_init"), shape, type, initSeed);
    Variable<T> variable = init.withName(name).variable(Shape.of(shape), type);
    init.withName(name + "_assign").assign(variable, initial);
    Operand<T> value = scoped.withName(name + "_read").identity(variable);
    Param<T> param = new Param<>(fullName, shape, trainable, variable, value);
    registry.put(fullName, param);
    return param;
  }

  /** Every parameter, in creation order. */
  public List<Param<T>> all() {
    return List.copyOf(registry.values());
  }

  /** The trainable parameters, in creation order. */
  public List<Param<T>> trainable() {
    return registry.values().stream().filter(Param::trainable).toList();
  }

  /** A parameter by full name. */
  public Param<T> get(String fullName) {
    Param<T> p = registry.get(fullName);
    if (p == null) {
      throw new IllegalArgumentException(
          "no parameter named "
              + fullName
              + "; known: "
              + Collections.unmodifiableSet(registry.keySet()));
    }
    return p;
  }

  /** Total number of trainable scalars. */
  public long trainableCount() {
    return trainable().stream().mapToLong(Param::size).sum();
  }

  private static void checkSegment(String s) {
    if (s == null || !SEGMENT.matcher(s).matches()) {
      throw new IllegalArgumentException(
          "invalid parameter scope or name '" + s + "': use letters, digits, '_', '.', '-'");
    }
  }
}
