package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/**
 * Elementwise product y = a∘b:  ẏ = ȧ∘b + a∘ḃ;  ā = ȳ∘b, b̄ = ȳ∘a;
 * (ā)˙ = (ȳ)˙∘b + ȳ∘ḃ,  (b̄)˙ = (ȳ)˙∘a + ȳ∘ȧ.
 */
public final class Mul extends Primitive {
    @Override
    public String name() {
        return "mul";
    }

    @Override
    public Shape shape(Shape[] in) {
        sameShape(in);
        return in[0];
    }

    @Override
    public void forward(Exec e) {
        Buf a = e.x(0);
        Buf b = e.x(1);
        Buf y = e.y();
        e.b.mulShared(y.size, 1, 1.0, a.a, a.off, b.a, b.off, 0.0, y.a, y.off);
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf a = e.x(0);
        Buf b = e.x(1);
        Buf y = e.ydot();
        double beta = 0.0;
        if (e.active(0)) {
            e.b.mulShared(y.size, k, 1.0, b.a, b.off, e.xdot(0).a, e.xdot(0).off, beta, y.a, y.off);
            beta = 1.0;
        }
        if (e.active(1)) {
            e.b.mulShared(y.size, k, 1.0, a.a, a.off, e.xdot(1).a, e.xdot(1).off, beta, y.a, y.off);
        }
    }

    @Override
    public void vjp(Exec e) {
        Buf yb = e.ybar();
        for (int i = 0; i < 2; i++) {
            if (e.active(i)) {
                Buf other = e.x(1 - i);
                Buf xb = e.xbar(i);
                e.b.mulShared(yb.size, 1, 1.0, other.a, other.off, yb.a, yb.off, e.beta(i), xb.a, xb.off);
            }
        }
    }

    @Override
    public void tvjp(Exec e, int k) {
        Buf yb = e.ybar();
        Buf ybd = e.ybardot();
        for (int i = 0; i < 2; i++) {
            if (!e.active(i)) {
                continue;
            }
            int o = 1 - i;
            Buf other = e.x(o);
            Buf out = e.xbardot(i);
            if (e.active(o)) {
                Buf od = e.xdot(o);
                e.b.mul2Shared(yb.size, k, other.a, other.off, ybd.a, ybd.off, yb.a, yb.off,
                        od.a, od.off, e.tbeta(i), out.a, out.off);
            } else {
                e.b.mulShared(yb.size, k, 1.0, other.a, other.off, ybd.a, ybd.off, e.tbeta(i), out.a, out.off);
            }
        }
    }
}
