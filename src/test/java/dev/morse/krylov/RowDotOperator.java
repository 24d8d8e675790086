package dev.morse.krylov;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * A tiny matrix-free operator for tests: y_i = ⟨a_i, x⟩, one dot product per row of a
 * matrix kept on the device. Mathematically the same A as a {@link DenseOperator} over the
 * same storage, but applied without gemv, so the two paths round differently.
 */
final class RowDotOperator implements SymmetricOperator {
    private final Backend backend;
    private final int n;
    private final DArray a;
    int applications;

    RowDotOperator(Backend backend, int n, DArray a) {
        this.backend = backend;
        this.n = n;
        this.a = a;
    }

    @Override
    public int n() {
        return n;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public void apply(DArray x, long xo, DArray y, long yo) {
        applications++;
        for (int i = 0; i < n; i++) {
            double s = backend.dot(n, a, (long) i * n, x, xo);
            backend.fill(1, s, y, yo + i);
        }
    }
}
