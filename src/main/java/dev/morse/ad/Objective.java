package dev.morse.ad;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.List;

/**
 * A twice-differentiable loss L(θ), θ ∈ R^N, evaluated on one backend. A compiled
 * {@link Plan} is the usual implementation. Not thread-safe: one thread per objective.
 */
public interface Objective extends AutoCloseable {
    /** N, the length of θ. */
    int n();

    Backend backend();

    /** L(θ) by a forward pass only (θ = theta[off .. off+N)). */
    double value(DArray theta, long off);

    /**
     * Linearizes at θ: runs and keeps the primal forward pass and the adjoint pass. The
     * returned object is owned by the objective and is valid until the next call of
     * {@code at} (using it afterwards throws).
     */
    Linearization at(DArray theta, long off);

    /** Convenience: linearizes at a host vector (uploaded; not for hot loops). */
    default Linearization at(double[] th) {
        if (th.length != n()) {
            throw new IllegalArgumentException("θ has length " + th.length + ", but N = " + n());
        }
        try (DArray d = backend().alloc(n())) {
            backend().upload(th, 0, d, 0, n());
            return at(d, 0);
        }
    }

    /** Names of non-smooth primitives in the loss (e.g. relu); empty when twice differentiable. */
    List<String> nonSmooth();

    @Override
    void close();
}
