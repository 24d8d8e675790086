package dev.morse.ad;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * A loss linearized at one point θ: value, gradient and exact Hessian-vector products,
 * all on the objective's backend. Every HVP runs only the tangent forward and tangent
 * adjoint passes (forward-over-reverse); nothing is recomputed from the primal.
 * Valid until the owning objective's next {@code at()}.
 */
public interface Linearization {
    /** The θ this linearization was computed at (a device vector of length N owned by the plan). */
    DArray theta();

    /** L(θ). */
    double value();

    /** ∇L(θ): a device vector of length N owned by the plan (do not write to it). */
    DArray gradient();

    /** ‖∇L(θ)‖². */
    double gradNormSq();

    /** True when the loss and every gradient entry are finite. */
    boolean finite();

    /** out ← H·v (v and out of length N; they must not overlap). */
    void hvp(DArray v, long vo, DArray out, long oo);

    /**
     * out ← H·V for k directions: V is k×N row-major (direction j is row j), out likewise.
     * Directions are processed in passes of at most the plan's block capacity.
     */
    void hvpBlock(int k, DArray v, long vo, DArray out, long oo);

    /** The dense N×N Hessian, row-major, assembled from identity blocks. */
    void hessian(DArray out, long oo);

    /** Convenience for host code (allocates): ∇L(θ) as a Java array. */
    default double[] gradientArray() {
        DArray g = gradient();
        double[] out = new double[(int) g.length()];
        g.backend().download(g, 0, out, 0, out.length);
        return out;
    }

    /** Convenience for host code (allocates): H·v for a Java array v. */
    default double[] hvp(double[] v) {
        Backend b = gradient().backend();
        int n = (int) gradient().length();
        if (v.length != n) {
            throw new IllegalArgumentException("v has length " + v.length + ", but N = " + n);
        }
        try (DArray dv = b.alloc(n); DArray out = b.alloc(n)) {
            b.upload(v, 0, dv, 0, n);
            hvp(dv, 0, out, 0);
            double[] r = new double[n];
            b.download(out, 0, r, 0, n);
            return r;
        }
    }
}
