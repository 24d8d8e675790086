package dev.morse.krylov;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.Random;

/** Host-side construction of symmetric test matrices with a known spectrum. */
public final class TestMatrices {
    private TestMatrices() {
    }

    /** A random orthogonal n×n matrix (row-major), from Gram-Schmidt on Gaussian columns, twice. */
    public static double[] randomOrthogonal(int n, Random rnd) {
        double[][] q = new double[n][n]; // q[j] = column j
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                q[j][i] = rnd.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    double d = 0;
                    for (int i = 0; i < n; i++) {
                        d += q[k][i] * q[j][i];
                    }
                    for (int i = 0; i < n; i++) {
                        q[j][i] -= d * q[k][i];
                    }
                }
            }
            double nr = 0;
            for (int i = 0; i < n; i++) {
                nr += q[j][i] * q[j][i];
            }
            nr = Math.sqrt(nr);
            for (int i = 0; i < n; i++) {
                q[j][i] /= nr;
            }
        }
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i * n + j] = q[j][i];
            }
        }
        return out;
    }

    /** A = Q diag(lambda) Qᵀ, row-major, exactly symmetrized. */
    public static double[] withSpectrum(double[] q, double[] lambda) {
        int n = lambda.length;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += q[i * n + k] * lambda[k] * q[j * n + k];
                }
                a[i * n + j] = s;
                a[j * n + i] = s;
            }
        }
        return a;
    }

    /** Column k of the row-major n×n matrix q. */
    public static double[] column(double[] q, int n, int k) {
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = q[i * n + k];
        }
        return c;
    }

    public static double[] matvec(double[] a, double[] x) {
        int n = x.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += a[i * n + j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    public static double[] diag(double... d) {
        int n = d.length;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            a[i * n + i] = d[i];
        }
        return a;
    }

    public static double[] gaussian(int n, Random rnd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    public static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    public static double dist(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    public static DArray upload(Backend be, double[] v) {
        DArray d = be.alloc(v.length);
        be.upload(v, 0, d, 0, v.length);
        return d;
    }

    public static double[] download(Backend be, DArray d, int n) {
        double[] v = new double[n];
        be.download(d, 0, v, 0, n);
        return v;
    }

    /**
     * The pseudo-inverse solution (A − σI)⁺b from a dense eigendecomposition on the device
     * (backend.syevd); eigenvalues with |λ − σ| ≤ cut·max|λ − σ| count as zero.
     */
    public static double[] pinvSolve(Backend be, double[] a, double[] b, double shift, double cut) {
        int n = b.length;
        try (DArray m = upload(be, a); DArray w = be.alloc(n)) {
            var st = be.syevd(n, m, 0, w, 0, true);
            if (!st.ok()) {
                throw new IllegalStateException(st.toString());
            }
            double[] lam = download(be, w, n);
            double[] vecs = download(be, m, n * n); // row i = eigenvector i
            double max = 0;
            for (double l : lam) {
                max = Math.max(max, Math.abs(l - shift));
            }
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                double li = lam[i] - shift;
                if (Math.abs(li) <= cut * max) {
                    continue;
                }
                double c = 0;
                for (int j = 0; j < n; j++) {
                    c += vecs[i * n + j] * b[j];
                }
                for (int j = 0; j < n; j++) {
                    x[j] += c / li * vecs[i * n + j];
                }
            }
            return x;
        }
    }
}
