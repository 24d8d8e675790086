package dev.morse.krylov;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * A symmetric linear operator y = A·x on vectors living on a backend (a Hessian, matrix-free
 * or dense). Krylov solvers only ever apply it; they never see its entries.
 */
public interface SymmetricOperator {
    /** Dimension N. */
    int n();

    Backend backend();

    /** y[yo .. yo+n) ← A·x[xo .. xo+n). x and y do not overlap. */
    void apply(DArray x, long xo, DArray y, long yo);
}
