package dev.morse.backend;

/**
 * Sylvester's law of inertia on a Bunch-Kaufman factorization P·A·Pᵀ = L·D·Lᵀ (LAPACK
 * dsytrf / cuSOLVER Dsytrf with the lower triangle): the signs of the eigenvalues of A are
 * those of the 1×1 and 2×2 blocks of D. Shared by the CPU and CUDA backends so both count
 * the same way.
 *
 * <p>Block structure from ipiv, LAPACK's convention (which cuSOLVER documents for its
 * sytrf too): ipiv[k] &gt; 0 marks a 1×1 block at k; ipiv[k] = ipiv[k+1] &lt; 0 marks a
 * 2×2 block at k, k+1. The pivot values are 1-based in LAPACK; only their signs matter
 * here, and a 0 (a 0-based "no interchange" in row 0) is read as a 1×1 block, so the count
 * does not depend on the base. A negative entry without its partner is an error.
 */
public final class LdlInertia {
    private LdlInertia() {
    }

    /**
     * @param n    order
     * @param diag D(k,k), k &lt; n
     * @param sub  D(k+1,k), k &lt; n−1 (the subdiagonal; only read inside 2×2 blocks)
     * @param ipiv pivots as returned by sytrf
     */
    public static Inertia count(int n, double[] diag, double[] sub, int[] ipiv, LinalgStatus status) {
        int neg = 0;
        int zero = 0;
        int pos = 0;
        int k = 0;
        while (k < n) {
            if (ipiv[k] >= 0) {
                double d = diag[k];
                if (d < 0) {
                    neg++;
                } else if (d > 0) {
                    pos++;
                } else {
                    zero++;
                }
                k += 1;
            } else {
                if (k + 1 >= n || ipiv[k + 1] != ipiv[k]) {
                    throw new IllegalStateException("sytrf pivots: 2x2 block at " + k
                            + " without its partner (ipiv " + ipiv[k] + ")");
                }
                // [[a, b], [b, c]]: det < 0 means one eigenvalue of each sign
                double a = diag[k];
                double b = sub[k];
                double c = diag[k + 1];
                double det = a * c - b * b;
                if (det < 0) {
                    neg++;
                    pos++;
                } else if (det > 0) {
                    if (a + c < 0) {
                        neg += 2;
                    } else {
                        pos += 2;
                    }
                } else {
                    zero++;
                    if (a + c < 0) {
                        neg++;
                    } else if (a + c > 0) {
                        pos++;
                    } else {
                        zero++;
                    }
                }
                k += 2;
            }
        }
        return new Inertia(neg, zero, pos, status);
    }
}
