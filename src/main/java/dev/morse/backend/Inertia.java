package dev.morse.backend;

/**
 * Inertia of a symmetric matrix (numbers of negative, zero and positive eigenvalues),
 * read off the block-diagonal factor D of an LDLᵀ (Bunch-Kaufman) factorization by
 * Sylvester's law of inertia.
 */
public record Inertia(int negative, int zero, int positive, LinalgStatus status) {
    public int n() {
        return negative + zero + positive;
    }
}
