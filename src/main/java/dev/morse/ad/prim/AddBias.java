package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.LinearPrimitive;
import dev.morse.ad.Shape;

/** y = Z + 1bᵀ (bias row b broadcast over the rows of Z): linear, so Z̄ = ȳ, b̄ = column sums of ȳ. */
public final class AddBias extends LinearPrimitive {
    @Override
    public String name() {
        return "addBias";
    }

    @Override
    public Shape shape(Shape[] in) {
        if (in[1].rows() != 1 || in[1].cols() != in[0].cols()) {
            throw shapeError("bias must be 1×" + in[0].cols(), in[0], in[1]);
        }
        return in[0];
    }

    @Override
    protected void map(Exec e, int k, boolean tangent) {
        Buf z = in(e, 0, tangent);
        Buf bias = in(e, 1, tangent);
        Buf y = out(e, tangent);
        copyOrZero(e, z, y, k * y.size);
        if (bias != null) {
            e.b.addRowVector(y.rows, y.cols, k, 1.0, bias.a, bias.off, true, y.a, y.off);
        }
    }

    @Override
    protected void transpose(Exec e, int k, boolean tangent) {
        Buf yb = outBar(e, tangent);
        Buf zb = inBar(e, 0, tangent);
        if (zb != null) {
            e.b.axpby(k * yb.size, 1.0, yb.a, yb.off, beta(e, 0, tangent), zb.a, zb.off);
        }
        Buf bb = inBar(e, 1, tangent);
        if (bb != null) {
            biasBar(e, k, yb, beta(e, 1, tangent), bb);
        }
    }

    /** b̄ ← β·b̄ + column sums of ȳ, k blocks (the bias adjoint of every y = Z + 1bᵀ). */
    static void biasBar(Exec e, int k, Buf yb, double beta, Buf bb) {
        e.b.columnSums(yb.rows, yb.cols, k, 1.0, yb.a, yb.off, beta, bb.a, bb.off);
    }
}
