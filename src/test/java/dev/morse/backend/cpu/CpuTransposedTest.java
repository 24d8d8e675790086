package dev.morse.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** The {@link CpuTransposed} path (switched on) against one cblas_dgemm call ({@link GemmPathCheck}). */
    private void check(boolean ta, boolean tb, int m, int n, int k, double alpha, int ao, int lda,
                       int bo, int ldb, double beta, int co, int ldc) {
        GemmPathCheck.check(b, "transposed", (ta2, tb2, m2, n2, k2, al, a, ao2, lda2, bm, bo2, ldb2, be, c, co2, ldc2) -> {
            CpuTransposed.enabled = true;
            return b.transposed.gemm(ta2, tb2, m2, n2, k2, al, a, ao2, lda2, bm, bo2, ldb2, be, c, co2, ldc2);
        }, ta, tb, m, n, k, alpha, ao, lda, bo, ldb, beta, co, ldc);
    }
}
