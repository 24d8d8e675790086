package dev.morse.backend.cpu;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.DArray;
import java.util.Random;
import org.bytedeco.openblas.global.openblas;

/**
 * Checks one of {@link CpuBackend#gemm}'s paths ({@link CpuSkinny}, {@link CpuTransposed})
 * against one cblas_dgemm call on random data: C = α·op(A)·op(B) + β·C, operands padded by
 * their leading dimensions and offsets, C's padding random so that writes outside the product
 * show, and (β = 0) NaN in the product's first column, which must not show.
 */
final class GemmPathCheck {
    /** A path: computes the product and returns true when it takes the shape. */
    interface Path {
        boolean gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, CpuArray a, long ao, int lda,
                     CpuArray b, long bo, int ldb, double beta, CpuArray c, long co, int ldc);
    }

    private GemmPathCheck() {
    }

    static void check(CpuBackend b, String name, Path path, boolean ta, boolean tb, int m, int n, int k, double alpha,
                      int ao, int lda, int bo, int ldb, double beta, int co, int ldc) {
        Random r = new Random(31L * m + 7L * n + k + (ta ? 1000 : 0) + (tb ? 2000 : 0));
        double[] av = gaussian(r, ao + (ta ? k : m) * lda);
        double[] bv = gaussian(r, bo + (tb ? n : k) * ldb);
        double[] cv = gaussian(r, co + m * ldc + 3);
        double[] cv1 = cv.clone();
        if (beta == 0.0) {
            for (int i = 0; i < m; i++) {
                cv1[co + i * ldc] = Double.NaN;
            }
        }
        try (DArray a = put(b, av); DArray bm = put(b, bv); DArray c1 = put(b, cv1); DArray c2 = put(b, cv)) {
            assertTrue(path.gemm(ta, tb, m, n, k, alpha, (CpuArray) a, ao, lda, (CpuArray) bm, bo, ldb, beta,
                    (CpuArray) c1, co, ldc), name + " path taken");
            openblas.cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    m, n, k, alpha, ((CpuArray) a).at(0, ao), lda, ((CpuArray) bm).at(1, bo), ldb, beta,
                    ((CpuArray) c2).at(2, co), ldc);
            double[] got = get(b, c1);
            double[] ref = get(b, c2);
            double scale = 0;
            for (double v : ref) {
                scale = Math.max(scale, Math.abs(v));
            }
            String what = name + " " + (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k
                    + " α=" + alpha + " β=" + beta + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc;
            for (int i = 0; i < ref.length; i++) {
                if (!(Math.abs(got[i] - ref[i]) <= 1e-13 * scale)) {
                    throw new AssertionError(what + ": element " + i + " " + got[i] + " vs " + ref[i]);
                }
            }
        }
    }

    static double[] gaussian(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }

    static DArray put(CpuBackend b, double[] x) {
        DArray d = b.alloc(x.length);
        b.upload(x, 0, d, 0, x.length);
        return d;
    }

    static double[] get(CpuBackend b, DArray d) {
        double[] x = new double[(int) d.length()];
        b.download(d, 0, x, 0, x.length);
        return x;
    }
}
