package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/** y = a + s·b with s = +1 (add) or -1 (sub): linear, so every rule is a signed sum. */
public final class Add extends Primitive {
    private final double s;

    private Add(double s) {
        this.s = s;
    }

    public static Add add() {
        return new Add(1.0);
    }

    public static Add sub() {
        return new Add(-1.0);
    }

    @Override
    public String name() {
        return s > 0 ? "add" : "sub";
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
        e.b.copy(y.size, a.a, a.off, y.a, y.off);
        e.b.axpy(y.size, s, b.a, b.off, y.a, y.off);
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf y = e.ydot();
        long n = k * y.size;
        if (e.active(0)) {
            e.b.copy(n, e.xdot(0).a, e.xdot(0).off, y.a, y.off);
        } else {
            e.b.fill(n, 0.0, y.a, y.off);
        }
        if (e.active(1)) {
            e.b.axpy(n, s, e.xdot(1).a, e.xdot(1).off, y.a, y.off);
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

    private void pull(Exec e, Buf ybar, int k, boolean tangent) {
        long n = k * ybar.size;
        for (int i = 0; i < 2; i++) {
            if (e.active(i)) {
                Buf xb = tangent ? e.xbardot(i) : e.xbar(i);
                double beta = tangent ? e.tbeta(i) : e.beta(i);
                e.b.axpby(n, i == 0 ? 1.0 : s, ybar.a, ybar.off, beta, xb.a, xb.off);
            }
        }
    }
}
