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

    /**
     * The directional derivative ⟨∇L(θ), v⟩ (v of length N). A compiled plan computes it by
     * its tangent forward pass (the JVP rules), independently of the gradient; the default
     * is the dot product with the gradient.
     */
    default double jvp(DArray v, long vo) {
        DArray g = gradient();
        return g.backend().dot(g.length(), g, 0, v, vo);
    }

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

    /** Convenience for host code (allocates): ⟨∇L(θ), v⟩ for a Java array v. */
    default double jvp(double[] v) {
        Backend b = gradient().backend();
        int n = (int) gradient().length();
        if (v.length != n) {
            throw new IllegalArgumentException("v has length " + v.length + ", but N = " + n);
        }
        try (DArray dv = b.alloc(n)) {
            b.upload(v, 0, dv, 0, n);
            return jvp(dv, 0);
        }
    }

    /**
     * Convenience for host code (allocates): H·V for k directions given as a k×N row-major
     * Java array (direction j is row j); the result likewise.
     */
    default double[] hvpBlock(int k, double[] v) {
        Backend b = gradient().backend();
        int n = (int) gradient().length();
        if (k < 0 || v.length != (long) k * n) {
            throw new IllegalArgumentException("V has length " + v.length + ", but k·N = " + k + "·" + n);
        }
        if (k == 0) {
            return new double[0];
        }
        try (DArray dv = b.alloc((long) k * n); DArray out = b.alloc((long) k * n)) {
            b.upload(v, 0, dv, 0, k * n);
            hvpBlock(k, dv, 0, out, 0);
            double[] r = new double[k * n];
            b.download(out, 0, r, 0, k * n);
            return r;
        }
    }

    /** Convenience for host code (allocates N² doubles): the dense Hessian, row-major. */
    default double[] hessian() {
        Backend b = gradient().backend();
        int n = (int) gradient().length();
        if ((long) n * n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the dense Hessian at N = " + n + " does not fit a Java array: use "
                    + "hessian(DArray, long)");
        }
        try (DArray out = b.alloc((long) n * n)) {
            hessian(out, 0);
            double[] r = new double[n * n];
            b.download(out, 0, r, 0, n * n);
            return r;
        }
    }
}
