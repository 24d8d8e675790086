package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Scratch;
import dev.morse.ad.Shape;
import dev.morse.backend.UnaryFn;

/**
 * Elementwise y = f(x) for the scalar functions of {@link UnaryFn} (exp, log, tanh, sigmoid,
 * swish, softplus, relu, identity, square, integer power). Rules, with σ standing for f:
 * ẏ = σ'(x)ẋ;  x̄ = σ'(x)ȳ;  (x̄)˙ = σ''(x)ẋȳ + σ'(x)(ȳ)˙.
 * Linearizing keeps d1 = σ'(x) and, once ȳ is known, c = σ''(x)∘ȳ, so each HVP is two fused
 * products and never re-evaluates a transcendental function.
 */
public final class Unary extends Primitive {
    private final UnaryFn f;
    private final int p;

    public Unary(UnaryFn f, int p) {
        this.f = f;
        this.p = p;
    }

    public UnaryFn fn() {
        return f;
    }

    /** The integer power of {@link UnaryFn#POWI} (unused by the other functions). */
    public int power() {
        return p;
    }

    @Override
    public String name() {
        return f == UnaryFn.POWI ? "pow" + p : f.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public boolean smooth() {
        return f.smooth();
    }

    @Override
    public Shape shape(Shape[] in) {
        return in[0];
    }

    @Override
    public Scratch[] scratch(Shape[] in, Shape out) {
        // d1 = σ'(x); c = σ''(x), then σ''(x)∘ȳ after the adjoint pass
        return new Scratch[] {new Scratch(out.size(), false), new Scratch(out.size(), false)};
    }

    @Override
    public void forward(Exec e) {
        Buf x = e.x(0);
        Buf y = e.y();
        if (e.linearizing()) {
            Buf d1 = e.scratch(0);
            Buf d2 = e.scratch(1);
            e.b.unaryDerivatives(f, p, y.size, x.a, x.off, y.a, y.off, d1.a, d1.off, d2.a, d2.off);
        } else {
            e.b.unary(f, p, y.size, x.a, x.off, y.a, y.off);
        }
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf d1 = e.scratch(0);
        Buf x = e.xdot(0);
        Buf y = e.ydot();
        e.b.mulShared(y.size, k, 1.0, d1.a, d1.off, x.a, x.off, 0.0, y.a, y.off);
    }

    @Override
    public void vjp(Exec e) {
        Buf d1 = e.scratch(0);
        Buf c = e.scratch(1);
        Buf yb = e.ybar();
        Buf xb = e.xbar(0);
        e.b.mulShared(yb.size, 1, 1.0, d1.a, d1.off, yb.a, yb.off, e.beta(0), xb.a, xb.off);
        // c ← σ''(x)∘ȳ, the curvature term of every later tangent-of-VJP at this point
        e.b.mulShared(yb.size, 1, 1.0, yb.a, yb.off, c.a, c.off, 0.0, c.a, c.off);
    }

    @Override
    public void tvjp(Exec e, int k) {
        Buf d1 = e.scratch(0);
        Buf c = e.scratch(1);
        Buf xd = e.xdot(0);
        Buf ybd = e.ybardot();
        Buf out = e.xbardot(0);
        e.b.mul2Shared(ybd.size, k, c.a, c.off, xd.a, xd.off, d1.a, d1.off, ybd.a, ybd.off,
                e.tbeta(0), out.a, out.off);
    }
}
