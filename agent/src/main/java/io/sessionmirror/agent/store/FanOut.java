package io.sessionmirror.agent.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * One call sent to several nodes at once and awaited against one deadline (what a read, a touch and a delete
 * share): who answered what, and an error when nobody answered.
 */
final class FanOut<T> {

    private final List<Node> nodes;
    private final List<T> values;
    private final boolean[] answered;
    private int answers;
    private String lastError;

    private FanOut(List<Node> nodes) {
        this.nodes = nodes;
        this.values = new ArrayList<>(nodes.size());
        this.answered = new boolean[nodes.size()];
    }

    /**
     * Starts {@code call} on every node, then waits for each; a node that fails or does not answer in time is
     * given to {@code onFailure}. Throws when no node answered.
     */
    static <T> FanOut<T> run(Cluster cluster, List<Node> nodes, Node.Call<T> call, String op, Consumer<Node> onFailure)
            throws StoreException {
        FanOut<T> out = new FanOut<>(nodes);
        List<Future<T>> futures = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            futures.add(n.start(call));
        }
        long deadline = cluster.deadline();
        for (int i = 0; i < nodes.size(); i++) {
            T v = null;
            try {
                v = nodes.get(i).await(futures.get(i), deadline, op);
                out.answered[i] = true;
                out.answers++;
            } catch (StoreException e) {
                onFailure.accept(nodes.get(i));
                out.lastError = e.getMessage();
            }
            out.values.add(v);
        }
        if (out.answers == 0) {
            throw cluster.noAnswer(out.lastError);
        }
        return out;
    }

    int size() {
        return nodes.size();
    }

    Node node(int i) {
        return nodes.get(i);
    }

    boolean answered(int i) {
        return answered[i];
    }

    /** What node {@code i} answered; null also when it did not answer. */
    T value(int i) {
        return values.get(i);
    }

    int answers() {
        return answers;
    }
}
