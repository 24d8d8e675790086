package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/** y = c·Σᵢ xᵢ (c = 1 for sum, 1/size for mean): ẏ = cΣẋ; x̄ = cȳ·1; (x̄)˙ = c(ȳ)˙·1. */
public final class Sum extends Primitive {
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
    public void forward(Exec e) {
        Buf x = e.x(0);
        e.b.sums(x.size, 1, c(x), x.a, x.off, 0.0, e.y().a, e.y().off);
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf x = e.xdot(0);
        e.b.sums(x.size, k, c(x), x.a, x.off, 0.0, e.ydot().a, e.ydot().off);
    }

    @Override
    public void vjp(Exec e) {
        Buf x = e.xbar(0);
        Buf y = e.ybar();
        e.b.scaleByScalar(x.size, 1, c(x), y.a, y.off, false, null, 0, false, e.beta(0), x.a, x.off);
    }

    @Override
    public void tvjp(Exec e, int k) {
        Buf x = e.xbardot(0);
        Buf y = e.ybardot();
        e.b.scaleByScalar(x.size, k, c(x), y.a, y.off, true, null, 0, false, e.tbeta(0), x.a, x.off);
    }
}
