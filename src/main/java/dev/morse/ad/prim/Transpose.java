package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.LinearPrimitive;
import dev.morse.ad.Shape;

/** y = xᵀ: linear, ẏ = ẋᵀ, x̄ = ȳᵀ ({@link dev.morse.backend.Backend#transpose}). */
public final class Transpose extends LinearPrimitive {
    @Override
    public String name() {
        return "transpose";
    }

    @Override
    public Shape shape(Shape[] in) {
        return new Shape(in[0].cols(), in[0].rows());
    }

    @Override
    protected void map(Exec e, int k, boolean tangent) {
        Buf x = in(e, 0, tangent);
        Buf y = out(e, tangent);
        e.b.transpose(x.rows, x.cols, k, 1.0, x.a, x.off, 0.0, y.a, y.off);
    }

    @Override
    protected void transpose(Exec e, int k, boolean tangent) {
        Buf yb = outBar(e, tangent);
        Buf xb = inBar(e, 0, tangent);
        e.b.transpose(yb.rows, yb.cols, k, 1.0, yb.a, yb.off, beta(e, 0, tangent), xb.a, xb.off);
    }
}
