package dev.morse.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.DArray;
import dev.morse.testing.SingleBlasThread;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tall-skinny gemm path ({@link CpuSkinny}) against one cblas_dgemm call (the path switched
 * off) on random data: every branch, ragged last blocks, padded leading dimensions, offsets,
 * α ≠ 1, β ∈ {0, ½, 1}, unit dimensions; and that it keeps its scratch and allocates nothing warm.
 */
class CpuSkinnyTest {
    private static final double[] ALPHAS = {1.0, -0.7};
    private static final double[] BETAS = {0.0, 0.5, 1.0};

    private CpuBackend b;
    private boolean enabled0;

    @BeforeEach
    void setUp() {
        b = new CpuBackend();
        enabled0 = CpuSkinny.enabled;
    }

    @AfterEach
    void tearDown() {
        CpuSkinny.enabled = enabled0;
        b.close();
    }

    @Test
    void rowBlocksMatchOneCall() {
        try (SingleBlasThread one = new SingleBlasThread()) { // NN is blocked on one BLAS thread only
            rowBlocks();
        }
    }

    private void rowBlocks() {
        int[][] nk = {{12, 16}, {8, 10}, {1, 7}, {9, 1}, {1, 1}, {32, 32}};
        for (int[] s : nk) {
            int n = s[0];
            int k = s[1];
            int m = 3 * CpuSkinny.rows(k, n) + 37;
            for (double alpha : ALPHAS) {
                for (double beta : BETAS) {
                    check(false, false, m, n, k, alpha, 7, k + 3, 5, n + 2, beta, 11, n + 5);
                    check(false, false, m, n, k, alpha, 0, k, 0, n, beta, 0, n);
                }
            }
        }
    }

    @Test
    void transposedSmallBMatchesOneCall() {
        int[][] nk = {{12, 16}, {16, 8}, {1, 5}, {6, 1}, {32, 32}};
        for (int[] s : nk) {
            int n = s[0];
            int k = s[1];
            int m = 2 * CpuSkinny.rows(k, n) + 101;
            for (double alpha : ALPHAS) {
                for (double beta : BETAS) {
                    // B stored n×k: ldb ≥ k
                    check(false, true, m, n, k, alpha, 3, k + 1, 9, k + 4, beta, 2, n + 3);
                    check(false, true, m, n, k, alpha, 0, k, 0, k, beta, 0, n);
                }
            }
        }
    }

    @Test
    void blockedReductionMatchesOneCall() {
        int[][] mn = {{16, 12}, {8, 10}, {1, 9}, {7, 1}, {1, 1}, {32, 32}};
        for (int[] s : mn) {
            int m = s[0];
            int n = s[1];
            int k = 3 * CpuSkinny.rows(m, n) + 5;
            for (double alpha : ALPHAS) {
                for (double beta : BETAS) {
                    // A stored k×m (lda ≥ m), B stored k×n (ldb ≥ n)
                    check(true, false, m, n, k, alpha, 4, m + 2, 6, n + 1, beta, 1, n + 2);
                    check(true, false, m, n, k, alpha, 0, m, 0, n, beta, 0, n);
                }
            }
        }
    }

    @Test
    void otherShapesAreLeftToOneCall() {
        CpuArray a = (CpuArray) b.alloc(200_000);
        CpuArray x = (CpuArray) b.alloc(200_000);
        CpuArray c = (CpuArray) b.alloc(200_000);
        CpuSkinny s = b.skinny;
        int rows = CpuSkinny.rows(8, 8);
        assertFalse(s.gemm(false, false, 2 * rows - 1, 8, 8, 1, a, 0, 8, x, 0, 8, 0, c, 0, 8), "too few rows");
        assertFalse(s.gemm(false, false, 10000, 33, 8, 1, a, 0, 8, x, 0, 33, 0, c, 0, 33), "n too large");
        assertFalse(s.gemm(false, false, 10000, 8, 33, 1, a, 0, 33, x, 0, 8, 0, c, 0, 8), "k too large");
        assertFalse(s.gemm(false, true, 10000, 33, 8, 1, a, 0, 8, x, 0, 8, 0, c, 0, 33), "op(B) too large");
        assertFalse(s.gemm(true, false, 33, 8, 10000, 1, a, 0, 33, x, 0, 8, 0, c, 0, 8), "result too large");
        assertFalse(s.gemm(true, true, 8, 8, 10000, 1, a, 0, 8, x, 0, 10000, 0, c, 0, 8), "TT");
        assertFalse(s.gemm(false, false, 10000, 8, 8, 1, a, 0, 7, x, 0, 8, 0, c, 0, 8), "lda < k");
        assertFalse(s.gemm(false, true, 10000, 8, 8, 1, a, 0, 8, x, 0, 7, 0, c, 0, 8), "ldb < k (B transposed)");
        assertFalse(s.gemm(true, false, 8, 8, 10000, 1, a, 0, 8, x, 0, 8, 0, c, 0, 7), "ldc < n");
        assertFalse(s.gemm(false, false, 10000, -5, 5, 1, a, 0, 5, x, 0, 8, 0, c, 0, 8), "negative n");
        assertFalse(s.gemm(true, false, 8, 8, -10000, 1, a, 0, 8, x, 0, 8, 0, c, 0, 8), "negative k");
        CpuSkinny.enabled = false;
        assertFalse(s.gemm(false, false, 10000, 8, 8, 1, a, 0, 8, x, 0, 8, 0, c, 0, 8), "switched off");
        CpuSkinny.enabled = true;
        try (SingleBlasThread one = new SingleBlasThread()) {
            assertTrue(s.gemm(false, false, 10000, 8, 8, 1, a, 0, 8, x, 0, 8, 0, c, 0, 8));
        }
        assertEquals(0, s.scratchAllocations, "no scratch without a transposed B");
        int threads0 = CpuBackend.threads();
        try {
            CpuBackend.setThreads(2);
            if (CpuBackend.threads() > 1) {
                assertFalse(s.gemm(false, false, 10000, 8, 8, 1, a, 0, 8, x, 0, 8, 0, c, 0, 8), "NN on several BLAS threads");
                assertTrue(s.gemm(false, true, 10000, 8, 8, 1, a, 0, 8, x, 0, 8, 0, c, 0, 8), "NT on several");
                assertTrue(s.gemm(true, false, 8, 8, 10000, 1, a, 0, 8, x, 0, 8, 0, c, 0, 8), "TN on several");
            }
        } finally {
            CpuBackend.setThreads(threads0);
        }
    }

    @Test
    void emptyReductionScalesC() {
        CpuSkinny.enabled = true;
        int m = 5000;
        int n = 4;
        Random r = new Random(9);
        double[] c0 = GemmPathCheck.gaussian(r, m * n);
        DArray c = GemmPathCheck.put(b, c0);
        DArray a = b.alloc(1);
        DArray x = b.alloc(1);
        b.gemm(false, true, m, n, 0, 2.0, a, 0, 1, x, 0, 1, 0.5, c, 0, n);
        double[] got = GemmPathCheck.get(b, c);
        for (int i = 0; i < got.length; i++) {
            assertEquals(0.5 * c0[i], got[i]);
        }
        b.gemm(true, false, n, n, 0, 2.0, a, 0, n, x, 0, n, 0.0, c, 0, n);
        got = GemmPathCheck.get(b, c);
        for (int i = 0; i < got.length; i++) {
            assertEquals(i < n * n ? 0.0 : 0.5 * c0[i], got[i]);
        }
    }

    @Test
    void scratchIsKeptAndWarmCallsAllocateNothing() {
        CpuSkinny.enabled = true;
        int m = 4 * CpuSkinny.rows(16, 16);
        Random r = new Random(4);
        DArray a = GemmPathCheck.put(b, GemmPathCheck.gaussian(r, m * 16));
        DArray bm = GemmPathCheck.put(b, GemmPathCheck.gaussian(r, 32 * 32));
        DArray c = b.alloc((long) m * 16);
        DArray w = b.alloc(16 * 16);
        b.gemm(false, true, m, 16, 16, 1.0, a, 0, 16, bm, 0, 16, 0.0, c, 0, 16);
        assertEquals(1, b.skinny.scratchAllocations);
        long arrays = b.allocations();
        long live = b.liveBytes();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long probe0 = threads.getThreadAllocatedBytes(id);
        long probe = threads.getThreadAllocatedBytes(id) - probe0;
        long heap = Long.MAX_VALUE;
        for (int round = 0; round < 200; round++) {
            long h0 = threads.getThreadAllocatedBytes(id);
            b.gemm(false, true, m, 16, 16, 1.0, a, 0, 16, bm, 0, 16, 0.0, c, 0, 16); // the same
            b.gemm(false, true, m, 8, 12, 1.0, a, 0, 12, bm, 0, 12, 0.0, c, 0, 8); // smaller
            b.gemm(false, false, m, 16, 16, 1.0, a, 0, 16, bm, 0, 16, 0.0, c, 0, 16);
            b.gemm(true, false, 16, 16, m, 1.0, a, 0, 16, c, 0, 16, 0.0, w, 0, 16);
            heap = Math.min(heap, threads.getThreadAllocatedBytes(id) - h0 - probe);
        }
        assertEquals(1, b.skinny.scratchAllocations, "scratch reallocated for a product that fits");
        assertEquals(arrays, b.allocations());
        assertEquals(live, b.liveBytes(), "the scratch is not a backend array");
        assertTrue(heap <= 0, "heap bytes allocated by warm skinny products: " + heap);
        int m2 = m / 4; // 2·rows(32, 32) rows, within a and c
        assertTrue(m2 >= 2 * CpuSkinny.rows(32, 32));
        b.gemm(false, true, m2, 32, 32, 1.0, a, 0, 32, bm, 0, 32, 0.0, c, 0, 32); // larger: grows once
        assertEquals(2, b.skinny.scratchAllocations);
    }

    /** The {@link CpuSkinny} path (switched on) against one cblas_dgemm call ({@link GemmPathCheck}). */
    private void check(boolean ta, boolean tb, int m, int n, int k, double alpha, int ao, int lda,
                       int bo, int ldb, double beta, int co, int ldc) {
        GemmPathCheck.check(b, "skinny", (ta2, tb2, m2, n2, k2, al, a, ao2, lda2, bm, bo2, ldb2, be, c, co2, ldc2) -> {
            CpuSkinny.enabled = true;
            return b.skinny.gemm(ta2, tb2, m2, n2, k2, al, a, ao2, lda2, bm, bo2, ldb2, be, c, co2, ldc2);
        }, ta, tb, m, n, k, alpha, ao, lda, bo, ldb, beta, co, ldc);
    }
}
