package dev.morse.ad.prim;

import dev.morse.ad.Buf;
import dev.morse.ad.Exec;
import dev.morse.ad.Primitive;
import dev.morse.ad.Scratch;
import dev.morse.ad.Shape;

/**
 * A dense layer's bias add fused into its activation: y = f(x + 1bᵀ), where x = A·W is the
 * product node the fusion pass split off an {@link Affine} (so the pair Z = A·W + 1bᵀ, y = f(Z)
 * becomes x = A·W, y = f(x + 1bᵀ)). The bias is added in place in x's buffers, in the same
 * kernel as f ({@code Backend.biasUnary}) and, in the tangent pass, ḃ is added to ẋ in the same
 * kernel as the derivative product ({@code Backend.biasMulShared}); so x's buffers then hold Z
 * and Ż, and the adjoint rules are {@link Unary}'s on them plus b̄ = column sums of Z̄ (and
 * their tangent). Made only by the fusion pass, which checks that x has no other consumer and
 * depends on θ; the arithmetic is that of the unfused pair, bit for bit.
 */
public final class BiasUnary extends Primitive {
    private static final AddBias SHAPE = new AddBias();
    private final Unary f;

    public BiasUnary(Unary f) {
        this.f = f;
    }

    @Override
    public String name() {
        return "bias+" + f.name();
    }

    @Override
    public boolean smooth() {
        return f.smooth();
    }

    @Override
    public Shape shape(Shape[] in) {
        return SHAPE.shape(in); // that of x + 1bᵀ
    }

    @Override
    public Scratch[] scratch(Shape[] in, Shape out) {
        return f.scratch(in, out);
    }

    @Override
    public void forward(Exec e) {
        Buf x = e.x(0);
        Buf b = e.x(1);
        Buf y = e.y();
        Buf d1 = e.linearizing() ? e.scratch(0) : null;
        Buf d2 = e.linearizing() ? e.scratch(1) : null;
        e.b.biasUnary(f.fn(), f.power(), x.rows, x.cols, b.a, b.off, x.a, x.off, y.a, y.off,
                d1 == null ? null : d1.a, d1 == null ? 0 : d1.off, d2 == null ? null : d2.a, d2 == null ? 0 : d2.off);
    }

    @Override
    public void jvp(Exec e, int k) {
        if (!e.active(1)) {
            f.jvp(e, k);
            return;
        }
        // ẋ += ḃ (kept in ẋ for the tangent-of-VJP), ẏ = σ'∘ẋ
        Buf d1 = e.scratch(0);
        Buf x = e.xdot(0);
        Buf bd = e.xdot(1);
        Buf y = e.ydot();
        e.b.biasMulShared(x.rows, x.cols, k, bd.a, bd.off, true, x.a, x.off, d1.a, d1.off, y.a, y.off);
    }

    @Override
    public void vjp(Exec e) {
        f.vjp(e);
        if (e.active(1)) {
            AddBias.biasBar(e, 1, e.xbar(0), e.beta(1), e.xbar(1));
        }
    }

    @Override
    public void tvjp(Exec e, int k) {
        f.tvjp(e, k);
        if (e.active(1)) {
            AddBias.biasBar(e, k, e.xbardot(0), e.tbeta(1), e.xbardot(1));
        }
    }
}
