package dev.morse.ad;

import dev.morse.ad.prim.Theta;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A traced loss: a DAG of primitives over θ (node 0) and constants, in execution order,
 * pruned to the ancestors of the scalar loss. Immutable; compile it with {@link Plan#compile}.
 */
public final class Program {
    private final int nParams;
    private final List<Node> nodes;
    private final int loss;
    private final List<double[]> data;
    private final List<int[]> labels;

    Program(int nParams, List<Node> nodes, int loss, List<double[]> data, List<int[]> labels) {
        this.nParams = nParams;
        this.nodes = Collections.unmodifiableList(new ArrayList<>(nodes));
        this.loss = loss;
        this.data = Collections.unmodifiableList(new ArrayList<>(data));
        this.labels = Collections.unmodifiableList(new ArrayList<>(labels));
        if (!(nodes.get(0).prim() instanceof Theta)) {
            throw new IllegalStateException("node 0 must be θ");
        }
    }

    /** N, the length of θ. */
    public int nParams() {
        return nParams;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** Index of the loss node in {@link #nodes()} (always the last). */
    public int loss() {
        return loss;
    }

    List<double[]> data() {
        return data;
    }

    List<int[]> labels() {
        return labels;
    }

    /** Names of the non-smooth primitives used (relu); empty if the loss is twice differentiable. */
    public List<String> nonSmooth() {
        List<String> out = new ArrayList<>();
        for (Node n : nodes) {
            if (!n.prim().smooth() && !out.contains(n.prim().name())) {
                out.add(n.prim().name());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Program(N=" + nParams + ")\n");
        for (Node n : nodes) {
            sb.append(String.format("  %%%d = %s%s : %s%n", n.id(), n.prim().name(),
                    java.util.Arrays.toString(n.inputs()), n.shape()));
        }
        return sb.toString();
    }
}
