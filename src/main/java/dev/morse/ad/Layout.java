package dev.morse.ad;

import dev.morse.ad.prim.Slice;
import dev.morse.ad.prim.Theta;
import java.util.List;

/**
 * What a plan allocates for a program, decided in one place: which nodes depend on θ (they get
 * an adjoint, k tangent blocks and k tangent-adjoint blocks), which own a value array (all but
 * θ and its slices, which are views into θ), each rule's scratch, and the θ-sized vectors (θ, its
 * gradient, k directions, k HVPs), for the node list a plan runs (after the {@link Fusion}
 * rewrite). The {@link Plan} constructor allocates by it and {@link Plan#estimateBytes} counts
 * it, so the estimate is the allocation.
 */
final class Layout {
    private final Program program;
    private final List<Node> nodes;
    private final boolean[] active;

    Layout(Program program, List<Node> nodes) {
        this.program = program;
        this.nodes = nodes;
        this.active = activity(nodes);
    }

    /** Which nodes depend on θ, indexed by id. */
    static boolean[] activity(List<Node> nodes) {
        boolean[] active = new boolean[nodes.size()];
        for (Node nd : nodes) {
            active[nd.id()] = nd.prim() instanceof Theta;
            for (int in : nd.inputs()) {
                active[nd.id()] |= active[in];
            }
        }
        return active;
    }

    /** A copy of the activity flags, indexed by node id. */
    boolean[] activeFlags() {
        return active.clone();
    }

    /** Whether a node has a value array of its own (θ and slices of θ are views into θ). */
    static boolean ownsValue(Node nd) {
        return !(nd.prim() instanceof Theta) && !(nd.prim() instanceof Slice);
    }

    /** The shapes of a node's inputs. */
    private Shape[] inputShapes(Node nd) {
        Shape[] s = new Shape[nd.inputs().length];
        for (int j = 0; j < s.length; j++) {
            s[j] = nodes.get(nd.inputs()[j]).shape();
        }
        return s;
    }

    /** The scratch a node's rules ask for. */
    Scratch[] scratch(Node nd) {
        return nd.prim().scratch(inputShapes(nd), nd.shape());
    }

    /** Doubles allocated once, whatever k: θ, ∇L, values, adjoints, scratch not per block. */
    private long fixedWords() {
        long w = 2L * program.nParams();
        for (Node nd : nodes) {
            if (!(nd.prim() instanceof Theta)) {
                long s = nd.shape().size();
                w += (ownsValue(nd) ? s : 0) + (active[nd.id()] ? s : 0);
            }
            for (Scratch sc : scratch(nd)) {
                w += sc.perBlock() ? 0 : sc.size();
            }
        }
        return w;
    }

    /** Doubles per direction of a block: V, HV, tangents, tangent adjoints, scratch per block. */
    long wordsPerDirection() {
        long w = 2L * program.nParams();
        for (Node nd : nodes) {
            if (!(nd.prim() instanceof Theta) && active[nd.id()]) {
                w += 2L * nd.shape().size();
            }
            for (Scratch sc : scratch(nd)) {
                w += sc.perBlock() ? sc.size() : 0;
            }
        }
        return w;
    }

    /** Device bytes with block capacity k (labels as 4-byte ints). */
    long bytes(int k) {
        long labelInts = 0;
        for (int[] l : program.labels()) {
            labelInts += l.length;
        }
        return 8 * (fixedWords() + k * wordsPerDirection()) + 4 * labelInts;
    }
}
