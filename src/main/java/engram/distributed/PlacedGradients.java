package engram.distributed;

import engram.ops.SharedWeightGradients;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.Graph;
import org.tensorflow.GraphHandles;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_ImportGraphDefOptions;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Gradients whose ops run on a chosen device.
 *
 * <p>{@code Graph.addGradients} gives the backward ops no device, so TensorFlow's placer puts every
 * replica's backward pass on the first device (distributed.md §1). Here the gradient ops are built
 * as usual ({@link SharedWeightGradients}), then copied under a new name scope with the device set,
 * their inputs from the forward pass mapped onto the existing ops; the unplaced originals stay in
 * the graph but nothing runs them.
 */
public final class PlacedGradients {

  private PlacedGradients() {}

  /**
   * {@code dy/dx} for every x, computed on {@code device}; an entry is null where x does not
   * influence y (TensorFlow's builder refuses such an x, so only the xs y depends on are asked for:
   * a weight penalty reaches a few kernels only).
   *
   * @param prefix name scope of the placed gradient ops (unused in the graph so far)
   * @param device a full device name, e.g. {@code /device:GPU:1}
   */
  public static Output<?>[] of(
      Graph graph, String prefix, String device, Operand<?> y, List<Output<?>> xs) {
    Set<String> ancestors = ancestors(y);
    List<Output<?>> reached = xs.stream().filter(x -> ancestors.contains(x.op().name())).toList();
    Output<?>[] placed = new Output<?>[xs.size()];
    if (reached.isEmpty()) {
      return placed;
    }
    Set<String> before = names(graph);
    Output<?>[] grads =
        SharedWeightGradients.of(graph, prefix + "_unplaced", y, reached).gradients();
    Set<String> added = names(graph);
    added.removeAll(before);
    copy(graph, added, device, prefix);
    for (int i = 0; i < grads.length; i++) {
      if (grads[i] != null && !grads[i].isClosed()) {
        placed[xs.indexOf(reached.get(i))] =
            graph.operationOrThrow(prefix + "/" + grads[i].op().name()).output(grads[i].index());
      }
    }
    return placed;
  }

  /** The names of the ops {@code y} is computed from through data inputs, y's own included. */
  private static Set<String> ancestors(Operand<?> y) {
    Set<String> seen = new HashSet<>();
    java.util.ArrayDeque<GraphOperation> todo = new java.util.ArrayDeque<>();
    todo.add((GraphOperation) y.op());
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      if (seen.add(op.name())) {
        for (int i = 0; i < op.numInputs(); i++) {
          todo.add((GraphOperation) op.input(i).op());
        }
      }
    }
    return seen;
  }

  /**
   * Copies the ops named {@code names} under {@code prefix/}, each on {@code device}. Inputs among
   * the copied ops connect to the copies; inputs from any other op (data or control) connect to
   * that op itself.
   */
  static void copy(Graph graph, Set<String> names, String device, String prefix) {
    GraphDef all = graph.toGraphDef();
    GraphDef.Builder part = GraphDef.newBuilder().setVersions(all.getVersions());
    Set<String> dataInputs = new LinkedHashSet<>();
    Set<String> controlInputs = new LinkedHashSet<>();
    for (NodeDef node : all.getNodeList()) {
      if (!names.contains(node.getName())) {
        continue;
      }
      // The copy is pinned to the device; its colocation constraints ("_class": loc:@op, as the
      // gradient of a gather sets with its params) would name ops under the import prefix that
      // do not exist, so they are dropped.
      part.addNode(node.toBuilder().setDevice(device).removeAttr("_class"));
      for (String input : node.getInputList()) {
        boolean control = input.startsWith("^");
        String source = sourceOp(input);
        if (!names.contains(source)) {
          (control ? controlInputs : dataInputs).add(control ? source : withIndex(input));
        }
      }
    }
    GraphHandles.withNative(
        graph,
        g -> {
          try (PointerScope scope = new PointerScope()) {
            TF_ImportGraphDefOptions options = TF_ImportGraphDefOptions.newImportGraphDefOptions();
            tensorflow.TF_ImportGraphDefOptionsSetPrefix(options, prefix);
            for (String input : dataInputs) {
              int colon = input.lastIndexOf(':');
              String op = input.substring(0, colon);
              int index = Integer.parseInt(input.substring(colon + 1));
              TF_Output output = new TF_Output().oper(existing(g, op)).index(index);
              tensorflow.TF_ImportGraphDefOptionsAddInputMapping(options, op, index, output);
            }
            for (String op : controlInputs) {
              tensorflow.TF_ImportGraphDefOptionsRemapControlDependency(
                  options, op, existing(g, op));
            }
            TF_Buffer buffer = TF_Buffer.newBufferFromString(part.build());
            TF_Status status = TF_Status.newStatus();
            tensorflow.TF_GraphImportGraphDef(g, buffer, options, status);
            status.throwExceptionIfNotOK();
          }
          return null;
        });
  }

  private static TF_Operation existing(TF_Graph g, String name) {
    TF_Operation op = tensorflow.TF_GraphOperationByName(g, name);
    if (op == null || op.isNull()) {
      throw new IllegalStateException("no op " + name + " in the graph");
    }
    return op;
  }

  /** The op an input names: {@code op}, {@code op:2} or {@code ^op}. */
  private static String sourceOp(String input) {
    String s = input.startsWith("^") ? input.substring(1) : input;
    int colon = s.lastIndexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }

  private static String withIndex(String input) {
    return input.lastIndexOf(':') < 0 ? input + ":0" : input;
  }

  private static Set<String> names(Graph graph) {
    Set<String> names = new HashSet<>();
    Iterator<GraphOperation> it = graph.operations();
    while (it.hasNext()) {
      names.add(it.next().name());
    }
    return names;
  }
}
