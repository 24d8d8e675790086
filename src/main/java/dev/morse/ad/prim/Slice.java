package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Shape;

/**
 * A view of θ: elements [offset, offset + rows·cols) reshaped to rows×cols. Its value aliases
 * θ (no copy); its adjoint is added into its part of ∇θ; its tangents are copied out of the
 * k direction rows of V so that every tangent block downstream is contiguous.
 */
public final class Slice extends Primitive {
    public final long offset;
    public final Shape out;

    public Slice(long offset, Shape out) {
        this.offset = offset;
        this.out = out;
    }

    @Override
    public String name() {
        return "slice";
    }

    @Override
    public Shape shape(Shape[] in) {
        if (offset < 0 || offset + out.size() > in[0].size()) {
            throw shapeError("view [" + offset + ", " + (offset + out.size()) + ") is outside θ of length "
                    + in[0].size(), in[0], out);
        }
        return out;
    }

    @Override
    public boolean partialAdjoint() {
        return true;
    }

    @Override
    public void forward(Exec e) {
        // aliased into θ by the plan
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf v = e.xdot(0);
        Buf y = e.ydot();
        for (int j = 0; j < k; j++) {
            e.b.copy(y.size, v.a, v.block(j) + offset, y.a, y.block(j));
        }
    }

    @Override
    public void vjp(Exec e) {
        Buf g = e.xbar(0);
        Buf y = e.ybar();
        e.b.axpy(y.size, 1.0, y.a, y.off, g.a, g.off + offset);
    }

    @Override
    public void tvjp(Exec e, int k) {
        Buf hv = e.xbardot(0);
        Buf y = e.ybardot();
        for (int j = 0; j < k; j++) {
            e.b.axpy(y.size, 1.0, y.a, y.block(j), hv.a, hv.block(j) + offset);
        }
    }
}
