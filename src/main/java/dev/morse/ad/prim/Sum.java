package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.LinearPrimitive;
import dev.morse.ad.Shape;

/** y = c·Σᵢ xᵢ (c = 1 for sum, 1/size for mean): linear, x̄ = cȳ·1. */
public final class Sum extends LinearPrimitive {
    private final boolean mean;

    public Sum(boolean mean) {
        this.mean = mean;
    }

    @Override
    public String name() {
        return mean ? "mean" : "sum";
    }

    @Override
    public Shape shape(Shape[] in) {
        return Shape.SCALAR;
    }

    private double c(Buf x) {
        return mean ? 1.0 / x.size : 1.0;
    }

    @Override
    protected void map(Exec e, int k, boolean tangent) {
        Buf x = in(e, 0, tangent);
        Buf y = out(e, tangent);
        e.b.sums(x.size, k, c(x), x.a, x.off, 0.0, y.a, y.off);
    }

    @Override
    protected void transpose(Exec e, int k, boolean tangent) {
        Buf x = inBar(e, 0, tangent);
        Buf y = outBar(e, tangent);
        e.b.scaleByScalar(x.size, k, c(x), y.a, y.off, true, null, 0, false, beta(e, 0, tangent), x.a, x.off);
    }
}
