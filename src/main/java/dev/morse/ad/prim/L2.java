package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/** L = λ‖x‖²:  L̇ = 2λ⟨x, ẋ⟩;  x̄ = 2λL̄x;  (x̄)˙ = 2λ[(L̄)˙x + L̄ẋ]. */
public final class L2 extends Primitive {
    private final double lambda;

    public L2(double lambda) {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("l2: λ must be finite and ≥ 0, got " + lambda);
        }
        this.lambda = lambda;
    }

    @Override
    public String name() {
        return "l2";
    }

    @Override
    public Shape shape(Shape[] in) {
        return Shape.SCALAR;
    }

    @Override
    public void forward(Exec e) {
        Buf x = e.x(0);
        int m = (int) x.size;
        e.b.gemv(false, 1, m, lambda, x.a, x.off, m, x.a, x.off, 0.0, e.y().a, e.y().off);
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf x = e.x(0);
        Buf xd = e.xdot(0);
        int m = (int) x.size;
        e.b.gemv(false, k, m, 2.0 * lambda, xd.a, xd.off, m, x.a, x.off, 0.0, e.ydot().a, e.ydot().off);
    }

    @Override
    public void vjp(Exec e) {
        Buf x = e.x(0);
        Buf lb = e.ybar();
        Buf xb = e.xbar(0);
        e.b.scaleByScalar(x.size, 1, 2.0 * lambda, lb.a, lb.off, false, x.a, x.off, false, e.beta(0), xb.a, xb.off);
    }

    @Override
    public void tvjp(Exec e, int k) {
        Buf x = e.x(0);
        Buf xd = e.xdot(0);
        Buf lb = e.ybar();
        Buf lbd = e.ybardot();
        Buf out = e.xbardot(0);
        e.b.scaleByScalar(x.size, k, 2.0 * lambda, lbd.a, lbd.off, true, x.a, x.off, false, e.tbeta(0), out.a, out.off);
        e.b.scaleByScalar(x.size, k, 2.0 * lambda, lb.a, lb.off, false, xd.a, xd.off, true, 1.0, out.a, out.off);
    }
}
