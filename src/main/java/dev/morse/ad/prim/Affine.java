package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/**
 * A dense layer's pre-activation Z = A·W + 1bᵀ, fused so the bias is added in place in the
 * product's buffers (no copy through a separate bias node in any pass). The product rules
 * are {@link MatMul}'s (slots 0 and 1); the bias (slot 2) adds ḃ to every row of Ż, and
 * receives the column sums of Z̄ and (Z̄)˙. The Plan's fusion pass rewrites this node and the
 * activation that consumes it into {@link #product()} and a {@link BiasUnary}.
 */
public final class Affine extends Primitive {
    private final MatMul mm = new MatMul(false, false);

    /** The product A·W alone (slots 0 and 1), as the fusion pass splits it off. */
    public MatMul product() {
        return mm;
    }

    @Override
    public String name() {
        return "affine";
    }

    @Override
    public Shape shape(Shape[] in) {
        Shape z = mm.shape(new Shape[] {in[0], in[1]});
        if (in[2].rows() != 1 || in[2].cols() != z.cols()) {
            throw shapeError("bias must be 1×" + z.cols(), in[0], in[1], in[2]);
        }
        return z;
    }

    @Override
    public void forward(Exec e) {
        mm.forward(e);
        Buf b = e.x(2);
        Buf y = e.y();
        e.b.addRowVector(y.rows, y.cols, 1, 1.0, b.a, b.off, false, y.a, y.off);
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf y = e.ydot();
        if (e.active(0) || e.active(1)) {
            mm.jvp(e, k);
        } else {
            e.b.fill(k * y.size, 0.0, y.a, y.off);
        }
        if (e.active(2)) {
            e.b.addRowVector(y.rows, y.cols, k, 1.0, e.xdot(2).a, e.xdot(2).off, true, y.a, y.off);
        }
    }

    @Override
    public void vjp(Exec e) {
        mm.vjp(e);
        if (e.active(2)) {
            AddBias.biasBar(e, 1, e.ybar(), e.beta(2), e.xbar(2));
        }
    }

    @Override
    public void tvjp(Exec e, int k) {
        mm.tvjp(e, k);
        if (e.active(2)) {
            AddBias.biasBar(e, k, e.ybardot(), e.tbeta(2), e.xbardot(2));
        }
    }
}
