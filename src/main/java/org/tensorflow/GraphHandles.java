package org.tensorflow;

import java.util.function.Function;
import org.tensorflow.internal.c_api.TF_Graph;

/**
 * engram's one door into TF Java's package-private native handles, for the C API calls TF Java
 * 1.1.0 has no method for (importing graph nodes whose inputs map onto existing ops). It lives in
 * TF Java's package so that it can reach them; it works on the class path, where engram runs.
 */
public final class GraphHandles {

  private GraphHandles() {}

  /** Runs {@code action} on {@code graph}'s native handle, which stays valid until it returns. */
  public static <R> R withNative(Graph graph, Function<TF_Graph, R> action) {
    try (Graph.Reference ref = graph.ref()) {
      return action.apply(ref.nativeHandle());
    }
  }
}
