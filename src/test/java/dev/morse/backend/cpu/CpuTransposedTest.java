package dev.morse.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.DArray;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tall, narrow results computed transposed ({@link CpuTransposed}) against one cblas_dgemm
 * call (the path off): all four transpositions, padded leading dimensions and offsets, α ≠ 1,
 * β ∈ {0 over NaN, ½, 1}; the shapes it leaves alone; a kept scratch.
 */
class CpuTransposedTest {
    private CpuBackend b;
    private boolean enabled0;

    @BeforeEach
    void setUp() {
        b = new CpuBackend();
        enabled0 = CpuTransposed.enabled;
    }

    @AfterEach
    void tearDown() {
        CpuTransposed.enabled = enabled0;
        b.close();
    }

    @Test
    void everyTranspositionMatchesOneCall() {
        int[][] mnk = {{700, 64, 130}, {257, 10, 64}, {4, 1, 300}, {1000, 7, 999}};
        for (int[] s : mnk) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (double beta : new double[] {0.0, 0.5, 1.0}) {
                        int m = s[0];
                        int n = s[1];
                        int k = s[2];
                        int lda = (ta ? m : k) + 3;
                        int ldb = (tb ? k : n) + 2;
                        check(ta, tb, m, n, k, -0.7, 5, lda, 9, ldb, beta, 4, n + 5);
                        check(ta, tb, m, n, k, 1.0, 0, ta ? m : k, 0, tb ? k : n, beta, 0, n);
                    }
                }
            }
        }
    }

    @Test
    void otherShapesAreLeftToOneCall() {
        CpuArray a = (CpuArray) b.alloc(300_000);
        CpuArray x = (CpuArray) b.alloc(300_000);
        CpuArray c = (CpuArray) b.alloc(300_000);
        CpuTransposed t = b.transposed;
        CpuTransposed.enabled = true;
        assertTrue(t.gemm(false, false, 1000, 64, 64, 1, a, 0, 64, x, 0, 64, 0, c, 0, 64));
        assertFalse(t.gemm(false, false, 1000, 65, 64, 1, a, 0, 64, x, 0, 65, 0, c, 0, 65), "n too large");
        assertFalse(t.gemm(false, false, 255, 64, 64, 1, a, 0, 64, x, 0, 64, 0, c, 0, 64), "m < 4n");
        assertFalse(t.gemm(false, false, 1000, 64, 63, 1, a, 0, 63, x, 0, 64, 0, c, 0, 64), "k too short");
        assertFalse(t.gemm(false, false, 1000, 64, 64, 1, a, 0, 63, x, 0, 64, 0, c, 0, 64), "lda < k");
        assertFalse(t.gemm(true, false, 1000, 64, 64, 1, a, 0, 999, x, 0, 64, 0, c, 0, 64), "lda < m (A transposed)");
        assertFalse(t.gemm(false, true, 1000, 64, 64, 1, a, 0, 64, x, 0, 63, 0, c, 0, 64), "ldb < k (B transposed)");
        assertFalse(t.gemm(false, false, 1000, 64, 64, 1, a, 0, 64, x, 0, 64, 0, c, 0, 63), "ldc < n");
        CpuTransposed.enabled = false;
        assertFalse(t.gemm(false, false, 1000, 64, 64, 1, a, 0, 64, x, 0, 64, 0, c, 0, 64), "switched off");
        CpuTransposed.enabled = true;
        long allocs = t.scratchAllocations;
        t.gemm(false, false, 1000, 64, 64, 1, a, 0, 64, x, 0, 64, 0.5, c, 0, 64);
        t.gemm(false, false, 500, 10, 64, 1, a, 0, 64, x, 0, 10, 0.5, c, 0, 10);
        assertEquals(allocs + 1, t.scratchAllocations, "the second scratch (β ≠ 0) once; smaller products reuse both");
    }

    private void check(boolean ta, boolean tb, int m, int n, int k, double alpha, int ao, int lda,
                       int bo, int ldb, double beta, int co, int ldc) {
        Random r = new Random(31L * m + 7L * n + k + (ta ? 1000 : 0) + (tb ? 2000 : 0));
        double[] av = gaussian(r, ao + (ta ? k : m) * lda);
        double[] bv = gaussian(r, bo + (tb ? n : k) * ldb);
        double[] cv = gaussian(r, co + m * ldc + 3);
        double[] cv1 = cv.clone();
        if (beta == 0.0) { // β = 0 overwrites: NaN in C must not show
            for (int i = 0; i < m; i++) {
                cv1[co + i * ldc] = Double.NaN;
            }
        }
        DArray a = put(av);
        DArray bm = put(bv);
        DArray c1 = put(cv1);
        DArray c2 = put(cv);
        CpuTransposed.enabled = true;
        assertTrue(b.transposed.gemm(ta, tb, m, n, k, alpha, (CpuArray) a, ao, lda, (CpuArray) bm, bo, ldb, beta,
                (CpuArray) c1, co, ldc), "transposed path taken");
        CpuTransposed.enabled = false;
        b.gemm(ta, tb, m, n, k, alpha, a, ao, lda, bm, bo, ldb, beta, c2, co, ldc);
        double[] got = get(c1);
        double[] ref = get(c2);
        double scale = 0;
        for (double v : ref) {
            scale = Math.max(scale, Math.abs(v));
        }
        String what = (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k + " β=" + beta;
        for (int i = 0; i < ref.length; i++) {
            if (!(Math.abs(got[i] - ref[i]) <= 1e-13 * scale)) {
                throw new AssertionError(what + ": element " + i + " " + got[i] + " vs " + ref[i]);
            }
        }
        a.close();
        bm.close();
        c1.close();
        c2.close();
    }

    private static double[] gaussian(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }

    private DArray put(double[] x) {
        DArray d = b.alloc(x.length);
        b.upload(x, 0, d, 0, x.length);
        return d;
    }

    private double[] get(DArray d) {
        double[] x = new double[(int) d.length()];
        b.download(d, 0, x, 0, x.length);
        return x;
    }
}
