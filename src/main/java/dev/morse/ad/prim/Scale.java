package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/** y = c·x + d for constants c, d ("scale" when d = 0, "shift" when c = 1): affine, so ẏ = cẋ, x̄ = cȳ, (x̄)˙ = c(ȳ)˙. */
public final class Scale extends Primitive {
    private final double c;
    private final double d;

    public Scale(double c, double d) {
        if (!Double.isFinite(c) || !Double.isFinite(d)) {
            throw new IllegalArgumentException("scale/shift: constants must be finite, got " + c + ", " + d);
        }
        this.c = c;
        this.d = d;
    }

    @Override
    public String name() {
        return d == 0.0 ? "scale" : (c == 1.0 ? "shift" : "affine");
    }

    @Override
    public Shape shape(Shape[] in) {
        return in[0];
    }

    @Override
    public void forward(Exec e) {
        Buf x = e.x(0);
        Buf y = e.y();
        if (d == 0.0) {
            e.b.axpby(y.size, c, x.a, x.off, 0.0, y.a, y.off);
        } else {
            e.b.fill(y.size, d, y.a, y.off);
            e.b.axpy(y.size, c, x.a, x.off, y.a, y.off);
        }
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf x = e.xdot(0);
        Buf y = e.ydot();
        e.b.axpby(k * y.size, c, x.a, x.off, 0.0, y.a, y.off);
    }

    @Override
    public void vjp(Exec e) {
        Buf y = e.ybar();
        Buf x = e.xbar(0);
        e.b.axpby(y.size, c, y.a, y.off, e.beta(0), x.a, x.off);
    }

    @Override
    public void tvjp(Exec e, int k) {
        Buf y = e.ybardot();
        Buf x = e.xbardot(0);
        e.b.axpby(k * y.size, c, y.a, y.off, e.tbeta(0), x.a, x.off);
    }
}
