package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.LinearPrimitive;
import dev.morse.ad.Scratch;
import dev.morse.ad.Shape;
import dev.morse.backend.Backend;

/**
 * Expands a 1×1, 1×C or R×1 value to R×C by repeating it along its unit dimensions (NumPy's
 * broadcasting, made explicit so that add and mul see equal shapes). Linear: its transpose
 * sums over the repeated dimensions, which is {@link AxisSum}; the two share
 * {@link #expand} and {@link #reduce}.
 */
public final class Broadcast extends LinearPrimitive {
    private final Shape to;

    public Broadcast(Shape to) {
        this.to = to;
    }

    @Override
    public String name() {
        return "broadcast";
    }

    @Override
    public Shape shape(Shape[] in) {
        Shape s = in[0];
        if ((s.rows() != to.rows() && s.rows() != 1) || (s.cols() != to.cols() && s.cols() != 1)) {
            throw shapeError("cannot broadcast to " + to + " (each dimension must match or be 1)", s, to);
        }
        return to;
    }

    @Override
    public Scratch[] scratch(Shape[] in, Shape out) {
        return new Scratch[] {new Scratch(Math.max(1, out.cols()), false)};
    }

    @Override
    protected void map(Exec e, int k, boolean tangent) {
        Buf x = in(e, 0, tangent);
        Buf y = out(e, tangent);
        expand(e.b, ones(e, tangent), k, x, x.off, 0.0, y, y.off);
    }

    /** Scratch 0 of a broadcast or axis sum: ones, written on the value pass (before any tangent pass). */
    static Buf ones(Exec e, boolean tangent) {
        Buf ones = e.scratch(0);
        if (!tangent) {
            e.b.fill(ones.size, 1.0, ones.a, ones.off);
        }
        return ones;
    }

    @Override
    protected void transpose(Exec e, int k, boolean tangent) {
        Buf yb = outBar(e, tangent);
        Buf xb = inBar(e, 0, tangent);
        reduce(e.b, e.scratch(0), k, yb, yb.off, beta(e, 0, tangent), xb, xb.off);
    }

    /**
     * y ← β·y + broadcast of x to y's shape, k blocks (x's shape 1×1, 1×C, R×1 or y's own).
     * {@code ones} holds at least C ones.
     */
    static void expand(Backend b, Buf ones, int k, Buf x, long xo, double beta, Buf y, long yo) {
        int rows = y.rows;
        int cols = y.cols;
        if (x.rows == rows && x.cols == cols) {
            b.axpby(k * y.size, 1.0, x.a, xo, beta, y.a, yo);
        } else if (x.size == 1) {
            b.scaleByScalar(y.size, k, 1.0, x.a, xo, true, null, 0, false, beta, y.a, yo);
        } else if (x.rows == 1) {
            // 1×C → R×C: add the row to every row
            if (beta == 0.0) {
                b.fill(k * y.size, 0.0, y.a, yo);
            } else if (beta != 1.0) {
                b.scal(k * y.size, beta, y.a, yo);
            }
            b.addRowVector(rows, cols, k, 1.0, x.a, xo, true, y.a, yo);
        } else {
            // R×1 → R×C: the stacked k·R×1 column times a 1×C row of ones
            b.gemm(false, false, k * rows, cols, 1, 1.0, x.a, xo, 1, ones.a, ones.off, cols, beta, y.a, yo, cols);
        }
    }

    /**
     * y ← β·y + sums of x over the dimensions where y has size 1, k blocks (y's shape 1×1,
     * 1×C, R×1 or x's own). {@code ones} holds at least C ones.
     */
    static void reduce(Backend b, Buf ones, int k, Buf x, long xo, double beta, Buf y, long yo) {
        int rows = x.rows;
        int cols = x.cols;
        if (y.rows == rows && y.cols == cols) {
            b.axpby(k * x.size, 1.0, x.a, xo, beta, y.a, yo);
        } else if (y.size == 1) {
            b.sums(x.size, k, 1.0, x.a, xo, beta, y.a, yo);
        } else if (y.rows == 1) {
            b.columnSums(rows, cols, k, 1.0, x.a, xo, beta, y.a, yo);
        } else {
            // row sums: the stacked k·R×C matrix times a column of C ones
            b.gemv(false, k * rows, cols, 1.0, x.a, xo, cols, ones.a, ones.off, beta, y.a, yo);
        }
    }
}
