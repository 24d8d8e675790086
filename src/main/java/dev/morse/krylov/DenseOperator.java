package dev.morse.krylov;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * A symmetric operator given by an explicit N×N matrix on the device (row-major, leading
 * dimension N), applied with one gemv. The matrix is borrowed, not owned: whoever filled it
 * keeps it alive and may refill it between solves (a Hessian assembled once per Newton step).
 */
public final class DenseOperator implements SymmetricOperator {
    private final Backend backend;
    private final int n;
    private final DArray a;
    private final long ao;

    /** A = a[ao .. ao + n²), row-major. Only symmetric matrices are meaningful. */
    public DenseOperator(Backend backend, int n, DArray a, long ao) {
        if (n < 0) {
            throw new IllegalArgumentException("dense operator: negative dimension " + n);
        }
        if (a.backend() != backend) {
            throw new IllegalArgumentException("dense operator: matrix lives on another backend");
        }
        if (ao < 0 || ao + (long) n * n > a.length()) {
            throw new IllegalArgumentException("dense operator: " + n + "×" + n + " matrix at offset "
                    + ao + " does not fit in an array of " + a.length());
        }
        this.backend = backend;
        this.n = n;
        this.a = a;
        this.ao = ao;
    }

    @Override
    public int n() {
        return n;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** The matrix storage (borrowed). */
    public DArray matrix() {
        return a;
    }

    public long offset() {
        return ao;
    }

    @Override
    public void apply(DArray x, long xo, DArray y, long yo) {
        backend.gemv(false, n, n, 1.0, a, ao, n, x, xo, 0.0, y, yo);
    }
}
