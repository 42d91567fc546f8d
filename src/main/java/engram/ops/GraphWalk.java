package engram.ops;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;

/** Walks a graph's data edges. */
public final class GraphWalk {

  private GraphWalk() {}

  /** Names of the ops of {@code outputs} and of every op they depend on through their inputs. */
  public static Set<String> ancestors(List<? extends Operand<?>> outputs) {
    Set<String> seen = new HashSet<>();
    Deque<GraphOperation> todo = new ArrayDeque<>();
    outputs.forEach(o -> todo.push((GraphOperation) o.op()));
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      if (!seen.add(op.name())) {
        continue;
      }
      for (int i = 0; i < op.numInputs(); i++) {
        todo.push((GraphOperation) op.input(i).op());
      }
    }
    return seen;
  }
}
