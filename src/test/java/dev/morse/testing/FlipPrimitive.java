package dev.morse.testing;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.LinearPrimitive;
import dev.morse.ad.Shape;

/** y = 2a − b, written outside dev.morse.ad as a {@link LinearPrimitive}: two maps give all four rules. */
public final class FlipPrimitive extends LinearPrimitive {
    @Override
    public String name() {
        return "flip";
    }

    @Override
    public Shape shape(Shape[] in) {
        if (!in[0].equals(in[1])) {
            throw shapeError("operand shapes differ", in[0], in[1]);
        }
        return in[0];
    }

    @Override
    protected void map(Exec e, int k, boolean tangent) {
        Buf a = in(e, 0, tangent);
        Buf b = in(e, 1, tangent);
        Buf y = out(e, tangent);
        long n = k * y.size;
        e.b.fill(n, 0.0, y.a, y.off);
        if (a != null) {
            e.b.axpy(n, 2.0, a.a, a.off, y.a, y.off);
        }
        if (b != null) {
            e.b.axpy(n, -1.0, b.a, b.off, y.a, y.off);
        }
    }

    @Override
    protected void transpose(Exec e, int k, boolean tangent) {
        Buf yb = outBar(e, tangent);
        for (int s = 0; s < 2; s++) {
            Buf xb = inBar(e, s, tangent);
            if (xb != null) {
                e.b.axpby(k * yb.size, s == 0 ? 2.0 : -1.0, yb.a, yb.off, beta(e, s, tangent), xb.a, xb.off);
            }
        }
    }
}
