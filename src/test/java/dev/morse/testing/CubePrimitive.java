package dev.morse.testing;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Scratch;
import dev.morse.ad.Shape;

/**
 * y = x³ elementwise, written outside dev.morse.ad against the public {@link Primitive}
 * contract only: f' = 3x², f'' = 6x kept at linearization, the usual elementwise rules.
 */
public final class CubePrimitive extends Primitive {
    @Override
    public String name() {
        return "cube";
    }

    @Override
    public Shape shape(Shape[] in) {
        return in[0];
    }

    @Override
    public Scratch[] scratch(Shape[] in, Shape out) {
        return new Scratch[] {new Scratch(out.size(), false), new Scratch(out.size(), false)};
    }

    @Override
    public void forward(Exec e) {
        Buf x = e.x(0);
        Buf y = e.y();
        e.b.mulShared(y.size, 1, 1.0, x.a, x.off, x.a, x.off, 0.0, y.a, y.off);
        e.b.mulShared(y.size, 1, 1.0, x.a, x.off, y.a, y.off, 0.0, y.a, y.off);
        if (e.linearizing()) {
            Buf d1 = e.scratch(0);
            Buf d2 = e.scratch(1);
            e.b.mulShared(y.size, 1, 3.0, x.a, x.off, x.a, x.off, 0.0, d1.a, d1.off);
            e.b.axpby(y.size, 6.0, x.a, x.off, 0.0, d2.a, d2.off);
        }
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf d1 = e.scratch(0);
        e.b.mulShared(e.y().size, k, 1.0, d1.a, d1.off, e.xdot(0).a, e.xdot(0).off, 0.0, e.ydot().a, e.ydot().off);
    }

    @Override
    public void vjp(Exec e) {
        Buf d1 = e.scratch(0);
        Buf c = e.scratch(1);
        Buf yb = e.ybar();
        Buf xb = e.xbar(0);
        e.b.mulShared(yb.size, 1, 1.0, d1.a, d1.off, yb.a, yb.off, e.beta(0), xb.a, xb.off);
        e.b.mulShared(yb.size, 1, 1.0, yb.a, yb.off, c.a, c.off, 0.0, c.a, c.off); // c = f''∘ȳ
    }

    @Override
    public void tvjp(Exec e, int k) {
        Buf d1 = e.scratch(0);
        Buf c = e.scratch(1);
        Buf ybd = e.ybardot();
        Buf out = e.xbardot(0);
        e.b.mul2Shared(ybd.size, k, c.a, c.off, e.xdot(0).a, e.xdot(0).off, d1.a, d1.off, ybd.a, ybd.off,
                e.tbeta(0), out.a, out.off);
    }
}
