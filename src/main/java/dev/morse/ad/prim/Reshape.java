package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.LinearPrimitive;
import dev.morse.ad.Shape;

/** The same row-major elements as another shape: linear, ẏ = ẋ, x̄ = ȳ (a copy each way). */
public final class Reshape extends LinearPrimitive {
    private final Shape to;

    public Reshape(Shape to) {
        this.to = to;
    }

    @Override
    public String name() {
        return "reshape";
    }

    @Override
    public Shape shape(Shape[] in) {
        if (in[0].size() != to.size()) {
            throw shapeError("cannot reshape " + in[0].size() + " elements to " + to, in[0], to);
        }
        return to;
    }

    @Override
    protected void map(Exec e, int k, boolean tangent) {
        Buf x = in(e, 0, tangent);
        Buf y = out(e, tangent);
        e.b.copy(k * y.size, x.a, x.off, y.a, y.off);
    }

    @Override
    protected void transpose(Exec e, int k, boolean tangent) {
        Buf yb = outBar(e, tangent);
        Buf xb = inBar(e, 0, tangent);
        e.b.axpby(k * yb.size, 1.0, yb.a, yb.off, beta(e, 0, tangent), xb.a, xb.off);
    }
}
