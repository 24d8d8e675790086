package dev.morse.ad;

import dev.morse.backend.Backend;
import dev.morse.backend.IArray;

/**
 * What a rule sees while a Plan runs one node: the backend and the node's buffers. The
 * Plan moves one Exec from node to node, so rules allocate nothing. Naming follows the
 * rules: x = input value, y = output value, bar = adjoint, dot = tangent (k blocks).
 */
public final class Exec {
    public final Backend b;
    private final Node[] nodes;
    private final Buf[] val;
    private final Buf[] adj;
    private final Buf[] tan;
    private final Buf[] tadj;
    private final Buf[][] scratch;
    private final double[][] beta;
    private final double[][] tbeta;
    private final boolean[] active;
    private final IArray[] labels;
    private boolean linearizing;
    private Node n;

    Exec(Backend b, Node[] nodes, Buf[] val, Buf[] adj, Buf[] tan, Buf[] tadj, Buf[][] scratch,
         double[][] beta, double[][] tbeta, boolean[] active, IArray[] labels) {
        this.b = b;
        this.nodes = nodes;
        this.val = val;
        this.adj = adj;
        this.tan = tan;
        this.tadj = tadj;
        this.scratch = scratch;
        this.beta = beta;
        this.tbeta = tbeta;
        this.active = active;
        this.labels = labels;
    }

    void at(Node node, boolean lin) {
        this.n = node;
        this.linearizing = lin;
    }

    /** True during {@code plan.at(θ)}: forward rules also keep what the derivative rules reuse. */
    public boolean linearizing() {
        return linearizing;
    }

    public Shape shape(int s) {
        return nodes[n.inputs()[s]].shape();
    }

    public Shape outShape() {
        return n.shape();
    }

    /** Whether input s depends on θ (an inactive input has zero tangent and no adjoint). */
    public boolean active(int s) {
        return active[n.inputs()[s]];
    }

    public Buf x(int s) {
        return val[n.inputs()[s]];
    }

    public Buf y() {
        return val[n.id()];
    }

    public Buf xbar(int s) {
        return adj[n.inputs()[s]];
    }

    public Buf ybar() {
        return adj[n.id()];
    }

    public Buf xdot(int s) {
        return tan[n.inputs()[s]];
    }

    public Buf ydot() {
        return tan[n.id()];
    }

    public Buf xbardot(int s) {
        return tadj[n.inputs()[s]];
    }

    public Buf ybardot() {
        return tadj[n.id()];
    }

    /** β for the adjoint write to input s: 0 for its first writer, 1 afterwards. */
    public double beta(int s) {
        return beta[n.id()][s];
    }

    /** β for the tangent-adjoint write to input s. */
    public double tbeta(int s) {
        return tbeta[n.id()][s];
    }

    public Buf scratch(int j) {
        return scratch[n.id()][j];
    }

    public IArray labels(int index) {
        return labels[index];
    }
}
