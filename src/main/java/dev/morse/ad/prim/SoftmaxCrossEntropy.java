package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Scratch;
import dev.morse.ad.Shape;

/**
 * Fused softmax cross-entropy with integer labels, mean over the r rows (examples):
 * L = (1/r)Σᵢ (lse(zᵢ) − z_{i,yᵢ}). With P = softmax(Z) and G = P − onehot(y) kept:
 * L̇ = (1/r)⟨G, Ż⟩;  Z̄ = (L̄/r)G;  (Z̄)˙ = ((L̄)˙/r)G + (L̄/r)Ṗ,  Ṗ = P∘(Ż − rowsum(P∘Ż)).
 */
public final class SoftmaxCrossEntropy extends Primitive {
    private final int labels;

    public SoftmaxCrossEntropy(int labelsIndex) {
        this.labels = labelsIndex;
    }

    @Override
    public String name() {
        return "softmaxCrossEntropy";
    }

    @Override
    public Shape shape(Shape[] in) {
        return Shape.SCALAR;
    }

    @Override
    public Scratch[] scratch(Shape[] in, Shape out) {
        long m = in[0].size();
        return new Scratch[] {new Scratch(m, false), new Scratch(m, false)};
    }

    @Override
    public void forward(Exec e) {
        Buf z = e.x(0);
        Buf p = e.scratch(0);
        Buf g = e.scratch(1);
        e.b.softmaxCrossEntropy(z.rows, z.cols, z.a, z.off, e.labels(labels), p.a, p.off, g.a, g.off,
                e.y().a, e.y().off);
    }

    @Override
    public void jvp(Exec e, int k) {
        Buf zd = e.xdot(0);
        Buf g = e.scratch(1);
        int m = (int) g.size;
        e.b.gemv(false, k, m, 1.0 / zd.rows, zd.a, zd.off, m, g.a, g.off, 0.0, e.ydot().a, e.ydot().off);
    }

    @Override
    public void vjp(Exec e) {
        Buf g = e.scratch(1);
        Buf lb = e.ybar();
        Buf zb = e.xbar(0);
        e.b.scaleByScalar(g.size, 1, 1.0 / zb.rows, lb.a, lb.off, false, g.a, g.off, false, e.beta(0), zb.a, zb.off);
    }

    @Override
    public void tvjp(Exec e, int k) {
        Buf p = e.scratch(0);
        Buf g = e.scratch(1);
        Buf zd = e.xdot(0);
        Buf lb = e.ybar();
        Buf lbd = e.ybardot();
        Buf out = e.xbardot(0);
        // one pass: (Z̄)˙ = ((L̄)˙/r)G + (L̄/r)Ṗ, Ṗ formed per row and not kept
        e.b.softmaxCeTvjp(zd.rows, zd.cols, k, 1.0 / zd.rows, p.a, p.off, g.a, g.off, zd.a, zd.off, lb.a, lb.off,
                lbd.a, lbd.off, e.tbeta(0), out.a, out.off);
    }
}
