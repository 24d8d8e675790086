package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Scratch;
import dev.morse.ad.Shape;

/**
 * Fused mean squared error L = (1/m)·Σ (Y − T)², mean over all m entries (DESIGN.md).
 * With R = Y − T kept from the forward pass:
 * L̇ = (2/m)⟨R, Ẏ − Ṫ⟩;  Ȳ = (2/m)L̄R, T̄ = −Ȳ;  (Ȳ)˙ = (2/m)[(L̄)˙R + L̄(Ẏ − Ṫ)], (T̄)˙ = −(Ȳ)˙.
 * Dots are gemv calls so that scalars stay on the device.
 */
public final class Mse extends Primitive {
    @Override
    public String name() {
        return "mse";
    }

    @Override
    public Shape shape(Shape[] in) {
        sameShape(in);
        return Shape.SCALAR;
    }

    @Override
    public Scratch[] scratch(Shape[] in, Shape out) {
        return new Scratch[] {new Scratch(in[0].size(), false)};
    }

    @Override
    public void forward(Exec e) {
        Buf y = e.x(0);
        Buf t = e.x(1);
        Buf r = e.scratch(0);
        Buf l = e.y();
        int m = (int) r.size;
        e.b.copy(m, y.a, y.off, r.a, r.off);
        e.b.axpy(m, -1.0, t.a, t.off, r.a, r.off);
        e.b.gemv(false, 1, m, 1.0 / m, r.a, r.off, m, r.a, r.off, 0.0, l.a, l.off);
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf r = e.scratch(0);
        Buf ld = e.ydot();
        int m = (int) r.size;
        double beta = 0.0;
        for (int i = 0; i < 2; i++) {
            if (e.active(i)) {
                Buf xd = e.xdot(i);
                e.b.gemv(false, k, m, (i == 0 ? 2.0 : -2.0) / m, xd.a, xd.off, m, r.a, r.off, beta, ld.a, ld.off);
                beta = 1.0;
            }
        }
    }

    @Override
    public void vjp(Exec e) {
        Buf r = e.scratch(0);
        Buf lb = e.ybar();
        int m = (int) r.size;
        for (int i = 0; i < 2; i++) {
            if (e.active(i)) {
                Buf xb = e.xbar(i);
                e.b.scaleByScalar(m, 1, (i == 0 ? 2.0 : -2.0) / m, lb.a, lb.off, false, r.a, r.off, false,
                        e.beta(i), xb.a, xb.off);
            }
        }
    }

    @Override
    public void tvjp(Exec e, int k) {
        Buf r = e.scratch(0);
        Buf lb = e.ybar();
        Buf lbd = e.ybardot();
        int m = (int) r.size;
        for (int i = 0; i < 2; i++) {
            if (!e.active(i)) {
                continue;
            }
            double s = (i == 0 ? 2.0 : -2.0) / m;
            Buf out = e.xbardot(i);
            e.b.scaleByScalar(m, k, s, lbd.a, lbd.off, true, r.a, r.off, false, e.tbeta(i), out.a, out.off);
            for (int q = 0; q < 2; q++) {
                if (e.active(q)) {
                    Buf xd = e.xdot(q);
                    e.b.scaleByScalar(m, k, q == 0 ? s : -s, lb.a, lb.off, false, xd.a, xd.off, true, 1.0,
                            out.a, out.off);
                }
            }
        }
    }
}
