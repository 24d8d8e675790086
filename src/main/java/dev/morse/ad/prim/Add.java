package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.LinearPrimitive;
import dev.morse.ad.Shape;

/** y = a + s·b with s = +1 (add) or -1 (sub), same shapes: linear, so ā = ȳ, b̄ = s·ȳ. */
public final class Add extends LinearPrimitive {
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
    protected void map(Exec e, int k, boolean tangent) {
        Buf a = in(e, 0, tangent);
        Buf b = in(e, 1, tangent);
        Buf y = out(e, tangent);
        long n = k * y.size;
        copyOrZero(e, a, y, n);
        if (b != null) {
            e.b.axpy(n, s, b.a, b.off, y.a, y.off);
        }
    }

    @Override
    protected void transpose(Exec e, int k, boolean tangent) {
        Buf yb = outBar(e, tangent);
        for (int i = 0; i < 2; i++) {
            Buf xb = inBar(e, i, tangent);
            if (xb != null) {
                e.b.axpby(k * yb.size, i == 0 ? 1.0 : s, yb.a, yb.off, beta(e, i, tangent), xb.a, xb.off);
            }
        }
    }
}
