package dev.morse.ad;

import dev.morse.ad.prim.Data;
import dev.morse.ad.prim.Slice;
import dev.morse.ad.prim.Theta;
import java.util.ArrayList;
import java.util.List;

/**
 * Records a loss written as ordinary Java calls on {@link Value}s into a {@link Program}.
 * <pre>
 *   Tracer t = new Tracer(n);
 *   Value w = t.param(0, 4, 16);           // a view of θ
 *   Value x = t.data("X", xs, 1000, 16);   // a constant
 *   Program p = t.program(x.matmul(w, false, true).tanh().square().mean());
 * </pre>
 * Shapes are checked as each call is recorded; a mismatch names the primitive and both shapes.
 */
public final class Tracer {
    private final int nParams;
    private final List<Node> nodes = new ArrayList<>();
    private final List<double[]> data = new ArrayList<>();
    private final List<int[]> labels = new ArrayList<>();
    private final Value theta;

    public Tracer(int nParams) {
        if (nParams <= 0) {
            throw new IllegalArgumentException("θ must have at least one parameter, got N = " + nParams);
        }
        this.nParams = nParams;
        this.theta = record(new Theta(nParams));
    }

    public int nParams() {
        return nParams;
    }

    /** θ itself, as a 1×N row (e.g. for an l2 penalty). */
    public Value theta() {
        return theta;
    }

    /** A view of θ: elements [offset, offset + rows·cols) as a rows×cols matrix. */
    public Value param(long offset, int rows, int cols) {
        return record(new Slice(offset, new Shape(rows, cols)), theta);
    }

    /** A constant rows×cols matrix (copied). */
    public Value data(String label, double[] values, int rows, int cols) {
        Shape s = new Shape(rows, cols);
        if (values.length != s.size()) {
            throw new IllegalArgumentException("data '" + label + "': " + values.length
                    + " values for shape " + s + " (" + s.size() + " expected)");
        }
        data.add(values.clone());
        return record(new Data(label, data.size() - 1, s));
    }

    /** A constant scalar. */
    public Value constant(double c) {
        return data("const", new double[] {c}, 1, 1);
    }

    /** Integer class labels for a cross-entropy loss (copied). */
    public Labels labels(int[] y) {
        labels.add(y.clone());
        return new Labels(this, labels.size() - 1, y.length);
    }

    /**
     * Records a user primitive applied to values of this tracer and returns its result: the
     * public way to extend the engine (see {@link Primitive} for the contract and
     * {@link LinearPrimitive} for linear ones). The output shape is {@code prim.shape(...)}.
     */
    public Value apply(Primitive prim, Value... in) {
        if (prim == null) {
            throw new IllegalArgumentException("apply: primitive is null");
        }
        return record(prim, in);
    }

    Value record(Primitive prim, Value... in) {
        Shape[] shapes = new Shape[in.length];
        int[] ids = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            if (in[i].tracer != this) {
                throw new IllegalArgumentException(prim.name() + ": operand " + i + " comes from another tracer");
            }
            shapes[i] = in[i].shape();
            ids[i] = in[i].id;
        }
        Shape out = prim.shape(shapes);
        Node n = new Node(nodes.size(), prim, ids, out);
        nodes.add(n);
        return new Value(this, n.id(), out);
    }

    /** Finishes tracing: the Program of all ancestors of {@code loss}, which must be a scalar. */
    public Program program(Value loss) {
        if (loss.tracer != this) {
            throw new IllegalArgumentException("the loss comes from another tracer");
        }
        if (!loss.shape().isScalar()) {
            throw new IllegalArgumentException("the loss must be a scalar (1×1), got " + loss.shape());
        }
        boolean[] keep = new boolean[nodes.size()];
        keep[0] = true;
        keep[loss.id] = true;
        for (int i = loss.id; i >= 0; i--) {
            if (keep[i]) {
                for (int in : nodes.get(i).inputs()) {
                    keep[in] = true;
                }
            }
        }
        int[] remap = new int[nodes.size()];
        List<Node> kept = new ArrayList<>();
        for (int i = 0; i <= loss.id; i++) {
            if (keep[i]) {
                Node n = nodes.get(i);
                int[] ins = new int[n.inputs().length];
                for (int j = 0; j < ins.length; j++) {
                    ins[j] = remap[n.inputs()[j]];
                }
                remap[i] = kept.size();
                kept.add(new Node(kept.size(), n.prim(), ins, n.shape()));
            }
        }
        return new Program(nParams, kept, kept.size() - 1, data, labels);
    }
}
