package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.LinearPrimitive;
import dev.morse.ad.Shape;

/** y = c·x + d for constants c, d ("scale" when d = 0, "shift" when c = 1): affine, so ẏ = cẋ, x̄ = cȳ, (x̄)˙ = c(ȳ)˙. */
public final class Scale extends LinearPrimitive {
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
        if (d == 0.0) {
            map(e, 1, false);
        } else {
            Buf x = e.x(0);
            Buf y = e.y();
            e.b.fill(y.size, d, y.a, y.off);
            e.b.axpy(y.size, c, x.a, x.off, y.a, y.off);
        }
    }

    @Override
    protected void map(Exec e, int k, boolean tangent) {
        Buf x = in(e, 0, tangent);
        Buf y = out(e, tangent);
        e.b.axpby(k * y.size, c, x.a, x.off, 0.0, y.a, y.off);
    }

    @Override
    protected void transpose(Exec e, int k, boolean tangent) {
        Buf y = outBar(e, tangent);
        Buf x = inBar(e, 0, tangent);
        e.b.axpby(k * y.size, c, y.a, y.off, beta(e, 0, tangent), x.a, x.off);
    }
}
