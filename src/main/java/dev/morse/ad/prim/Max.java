package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Scratch;
import dev.morse.ad.Shape;

/**
 * Elementwise y = max(a, b) ({@link dev.morse.backend.Backend#max}). With the selection mask
 * m = [a ≥ b] kept at linearization (ties select a), the rules hold wherever a ≠ b:
 * ẏ = m∘ȧ + (1−m)∘ḃ;  ā = m∘ȳ, b̄ = (1−m)∘ȳ;  (ā)˙ = m∘(ȳ)˙, (b̄)˙ = (1−m)∘(ȳ)˙ (the second
 * derivative is zero). Not differentiable where a = b: flagged non-smooth, like relu.
 */
public final class Max extends Primitive {
    @Override
    public String name() {
        return "max";
    }

    @Override
    public boolean smooth() {
        return false;
    }

    @Override
    public Shape shape(Shape[] in) {
        sameShape(in);
        return in[0];
    }

    @Override
    public Scratch[] scratch(Shape[] in, Shape out) {
        // m and 1 − m
        return new Scratch[] {new Scratch(out.size(), false), new Scratch(out.size(), false)};
    }

    @Override
    public void forward(Exec e) {
        Buf a = e.x(0);
        Buf b = e.x(1);
        Buf y = e.y();
        if (e.linearizing()) {
            Buf m = e.scratch(0);
            Buf mc = e.scratch(1);
            e.b.max(y.size, a.a, a.off, b.a, b.off, y.a, y.off, m.a, m.off);
            e.b.fill(y.size, 1.0, mc.a, mc.off);
            e.b.axpy(y.size, -1.0, m.a, m.off, mc.a, mc.off);
        } else {
            e.b.max(y.size, a.a, a.off, b.a, b.off, y.a, y.off, null, 0);
        }
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf y = e.ydot();
        double beta = 0.0;
        for (int i = 0; i < 2; i++) {
            if (e.active(i)) {
                Buf m = e.scratch(i);
                Buf xd = e.xdot(i);
                e.b.mulShared(y.size, k, 1.0, m.a, m.off, xd.a, xd.off, beta, y.a, y.off);
                beta = 1.0;
            }
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

    private static void pull(Exec e, Buf yb, int k, boolean tangent) {
        for (int i = 0; i < 2; i++) {
            if (e.active(i)) {
                Buf m = e.scratch(i);
                Buf xb = tangent ? e.xbardot(i) : e.xbar(i);
                e.b.mulShared(yb.size, k, 1.0, m.a, m.off, yb.a, yb.off, tangent ? e.tbeta(i) : e.beta(i), xb.a, xb.off);
            }
        }
    }
}
