package dev.morse.krylov;

import static org.bytedeco.openblas.global.openblas.LAPACK_COL_MAJOR;

import org.bytedeco.openblas.global.openblas;

/**
 * Eigen-decomposition T = YΘYᵀ of a symmetric tridiagonal matrix on the host (LAPACK dstedc:
 * Cuppen's divide and conquer, much faster than implicit QL for the T_m of a thousand steps an
 * adaptive SLQ probe builds), for the small T_m a Lanczos run builds. Eigenvalues ascend; column j of Y
 * (stored column-major, {@code y[i + j*m]}) is the unit eigenvector of θ_j.
 */
public record Tridiagonal(double[] theta, double[] y, int m) {

    /**
     * @param alpha diagonal α_1..α_m
     * @param beta  off-diagonal β_1..β_{m−1} (at least m − 1 entries are read)
     * @throws IllegalStateException if dstedc does not converge (info &gt; 0), which for a
     *                               finite symmetric tridiagonal matrix does not happen
     */
    public static Tridiagonal decompose(double[] alpha, double[] beta, int m) {
        if (m < 1 || alpha.length < m || (m > 1 && beta.length < m - 1)) {
            throw new IllegalArgumentException("tridiagonal: need m ≥ 1 diagonal and m − 1 off-diagonal entries, m = " + m);
        }
        double[] d = java.util.Arrays.copyOf(alpha, m);
        double[] e = new double[Math.max(1, m)];
        System.arraycopy(beta, 0, e, 0, m - 1);
        double[] z = new double[m * m];
        for (double v : d) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("tridiagonal: non-finite diagonal entry " + v);
            }
        }
        int info = openblas.LAPACKE_dstedc(LAPACK_COL_MAJOR, (byte) 'I', m, d, e, z, m);
        if (info != 0) {
            throw new IllegalStateException("dstedc failed on a " + m + "×" + m + " tridiagonal matrix, info = " + info);
        }
        return new Tridiagonal(d, z, m);
    }

    /** Component i of the eigenvector of θ_j. */
    public double y(int i, int j) {
        return y[i + j * m];
    }
}
