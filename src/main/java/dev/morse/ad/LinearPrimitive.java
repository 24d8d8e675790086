package dev.morse.ad;

/**
 * A primitive linear in its inputs, y = L(x₁, …, xₙ) (JAX's {@code deflinear}): its four rules
 * follow from two maps that a subclass writes once.
 * <ul>
 *   <li>{@link #map}: out ← L(in). The forward pass is map on values (k = 1); the JVP is the
 *       same map on tangents, ẏ = L(ẋ), because L is its own derivative.</li>
 *   <li>{@link #transpose}: x̄ₛ (+)= Lₛᵀ(ȳ) for each active input s. The VJP is transpose on
 *       adjoints; since L does not depend on x, the tangent of the VJP is transpose on the
 *       tangent adjoints, (x̄ₛ)˙ = Lₛᵀ((ȳ)˙), and there is no curvature term.</li>
 * </ul>
 * Both maps work on k blocks (k = 1 for values and adjoints) and read their buffers through
 * {@link #in}, {@link #out}, {@link #outBar}, {@link #inBar} and {@link #beta}, which pick the
 * value or the tangent side. An affine primitive (y = L(x) + c) overrides {@link #forward} only.
 */
public abstract class LinearPrimitive extends Primitive {

    /**
     * out ← L(in) for k blocks. On the tangent side an input that does not depend on θ has
     * {@link #in} null: it contributes zero.
     */
    protected abstract void map(Exec e, int k, boolean tangent);

    /**
     * For every active input s: inBar(s) ← beta(s)·inBar(s) + Lₛᵀ(outBar), k blocks. Inactive
     * inputs (inBar null) are skipped.
     */
    protected abstract void transpose(Exec e, int k, boolean tangent);

    @Override
    public void forward(Exec e) {
        map(e, 1, false);
    }

    @Override
    public final void jvp(Exec e, int k) {
        map(e, k, true);
    }

    @Override
    public final void vjp(Exec e) {
        transpose(e, 1, false);
    }

    @Override
    public final void tvjp(Exec e, int k) {
        transpose(e, k, true);
    }

    /** Input s: its value, or its k tangent blocks (null when s does not depend on θ). */
    protected static Buf in(Exec e, int s, boolean tangent) {
        if (!tangent) {
            return e.x(s);
        }
        return e.active(s) ? e.xdot(s) : null;
    }

    /** The output: its value, or its k tangent blocks. */
    protected static Buf out(Exec e, boolean tangent) {
        return tangent ? e.ydot() : e.y();
    }

    /** The output's adjoint ȳ, or its k tangent-adjoint blocks (ȳ)˙. */
    protected static Buf outBar(Exec e, boolean tangent) {
        return tangent ? e.ybardot() : e.ybar();
    }

    /** Input s's adjoint, or its tangent-adjoint blocks; null when s does not depend on θ. */
    protected static Buf inBar(Exec e, int s, boolean tangent) {
        if (!e.active(s)) {
            return null;
        }
        return tangent ? e.xbardot(s) : e.xbar(s);
    }

    /** y ← x over n elements, or y ← 0 when x is null (an input without tangent). */
    protected static void copyOrZero(Exec e, Buf x, Buf y, long n) {
        if (x != null) {
            e.b.copy(n, x.a, x.off, y.a, y.off);
        } else {
            e.b.fill(n, 0.0, y.a, y.off);
        }
    }

    /** β for the write to input s's (tangent) adjoint: 0 for its first writer, 1 afterwards. */
    protected static double beta(Exec e, int s, boolean tangent) {
        return tangent ? e.tbeta(s) : e.beta(s);
    }
}
