package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/** y = Z + 1bᵀ (bias row b broadcast over the rows of Z): ẏ = Ż + 1ḃᵀ; Z̄ = ȳ, b̄ = column sums of ȳ; same for tangents. */
public final class AddBias extends Primitive {
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
    public void forward(Exec e) {
        Buf z = e.x(0);
        Buf bias = e.x(1);
        Buf y = e.y();
        e.b.copy(y.size, z.a, z.off, y.a, y.off);
        e.b.addRowVector(y.rows, y.cols, 1, 1.0, bias.a, bias.off, false, y.a, y.off);
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf y = e.ydot();
        if (e.active(0)) {
            e.b.copy(k * y.size, e.xdot(0).a, e.xdot(0).off, y.a, y.off);
        } else {
            e.b.fill(k * y.size, 0.0, y.a, y.off);
        }
        if (e.active(1)) {
            e.b.addRowVector(y.rows, y.cols, k, 1.0, e.xdot(1).a, e.xdot(1).off, true, y.a, y.off);
        }
    }

    @Override
    public void vjp(Exec e) {
        pull(e, e.ybar(), 1, false);
    }

    @Override
    public void tvjp(Exec e, int k) {
        pull(e, e.ybardot(), k, true);
    }

    private void pull(Exec e, Buf yb, int k, boolean tangent) {
        if (e.active(0)) {
            Buf zb = tangent ? e.xbardot(0) : e.xbar(0);
            e.b.axpby(k * yb.size, 1.0, yb.a, yb.off, tangent ? e.tbeta(0) : e.beta(0), zb.a, zb.off);
        }
        if (e.active(1)) {
            Buf bb = tangent ? e.xbardot(1) : e.xbar(1);
            e.b.columnSums(yb.rows, yb.cols, k, 1.0, yb.a, yb.off, tangent ? e.tbeta(1) : e.beta(1), bb.a, bb.off);
        }
    }
}
