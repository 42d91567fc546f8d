package org.tensorflow;

import java.util.function.Function;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.ConfigProto;

/**
 * engram's one door into TF Java's package-private native handles, for the C API calls TF Java
 * 1.1.0 has no method for: importing graph nodes whose inputs map onto existing ops, and a session
 * on a gRPC server's target (distributed.md §2). It lives in TF Java's package so that it can reach
 * them; it works on the class path, where engram runs.
 */
public final class GraphHandles {

  private GraphHandles() {}

  /** Runs {@code action} on {@code graph}'s native handle, which stays valid until it returns. */
  public static <R> R withNative(Graph graph, Function<TF_Graph, R> action) {
    try (Graph.Reference ref = graph.ref()) {
      return action.apply(ref.nativeHandle());
    }
  }

  /**
   * A session on {@code target} (e.g. {@code grpc://localhost:2222}, a {@link Server} of this
   * process): TF Java's public constructors always pass a null target. Unlike those sessions it
   * does not run the graph's initializers by itself: call {@link Session#initialize()} or restore.
   */
  public static Session session(Graph graph, String target, ConfigProto config) {
    TF_Session handle;
    try (PointerScope scope = new PointerScope();
        Graph.Reference ref = graph.ref()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
      tensorflow.TF_SetTarget(options, target);
      if (config != null) {
        BytePointer bytes = new BytePointer(config.toByteArray());
        tensorflow.TF_SetConfig(options, bytes, bytes.capacity(), status);
        status.throwExceptionIfNotOK();
      }
      handle = TF_Session.newSession(ref.nativeHandle(), options, status);
      status.throwExceptionIfNotOK();
      handle.retainReference();
    }
    return new Session(graph, handle);
  }
}
