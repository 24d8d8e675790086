package dev.morse.backend.cpu;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;

import java.nio.DoubleBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;

/**
 * Tall-skinny row-major products for {@link CpuBackend#gemm}: the shapes of narrow networks
 * (layers like 16→12→8→10 over 10⁴ examples), on which OpenBLAS's one call is slower than a
 * few smaller ones. Chosen by shape; everything else goes straight to {@code cblas_dgemm}.
 * <ul>
 * <li>NN, many rows, n and k ≤ {@link #SMALL}, OpenBLAS on one thread: the rows in blocks of
 * {@link #rows} rows. On several threads NN stays one call: OpenBLAS threads it, and blocks small
 * enough for L2 are each below its threading threshold (measured: no gain, 40000x12x16 15-25% slower).
 * <li>NT (C = A·Bᵀ, the adjoint passed down a layer), many rows, both sides of B ≤ {@link #SMALL}:
 * B transposed into a scratch kept by this object (grown, never shrunk: no allocation per call
 * once warm), then NN in blocks (also on several threads, where blocks beat the one NN call).
 * <li>TN (W = Aᵀ·C, a weight gradient reduced over many rows), both sides of the result ≤
 * {@link #SMALL}: the reduction in blocks of rows, the first with the caller's β, the rest with
 * β = 1 (summation order differs from the one call: results agree to rounding, not bitwise).
 * </ul>
 * Why: on these shapes OpenBLAS's one call runs at about half the speed of the same product cut
 * into blocks whose operand rows stay in L2 (one thread), and its NT is slow where NN after an
 * explicit transposition is not. Blocks of 128 KiB of operand rows (rows = 128 Ki / (8·(n + k)),
 * within [128, 8192]) did as well as 256 KiB and better than larger ones at n = k = 32; at
 * n = k = 64 and 24×48 the blocks lost on two threads, so sides are ≤ 32.
 * SkinnyGemmAbBench, µs, median of 21 alternating rounds, path off → on (2-core Xeon, OpenBLAS
 * 0.3.31, otherwise idle; rounds vary ±10%; NN = A[M,K]·B[K,N], NT = C[M,N]·Bᵀ, TN = Aᵀ·C):
 * <pre>
 *                   1 thread                        2 threads
 * MxNxK         NN         NT         TN          NN         NT         TN
 * 10000x12x16   273→177    165→97     280→121     one call   116→109    346→144
 * 10000x8x12     43→42     118→70      57→56                  97→100     69→68
 * 10000x10x8     65→60      93→38      52→53                  73→56      58→58
 * 10000x8x16    141→71     161→79     249→98                  82→78     251→94
 * 10000x16x8    155→78     126→60     160→71                  93→83     187→73
 * 10000x16x16   239→133    222→125    341→163                127→140    353→167
 * 10000x12x8    106→96     147→66      73→71                  79→65      70→64
 * 10000x8x10     41→42     120→71      64→65                  83→94      69→70
 * 40000x12x16   792→601    731→394   1375→669                491→431   1408→691
 * 10000x32x32   762→400    778→410    878→573                396→410    597→471
 * </pre>
 * Wider products go straight through (10000x64x64, 10000x256x256, 20000x64x784: equal within
 * noise). NT on two threads is mixed for the smallest shapes (8x10, 16x16 lost in this run, won
 * or tied in others); the TN gains of the same layers are larger.
 * The switch {@link #enabled} (system property {@code morse.cpu.skinny=false}) turns it off.
 */
final class CpuSkinny implements AutoCloseable {
    /** Process-wide switch (system property morse.cpu.skinny=false turns the path off, for A/B timing). */
    static volatile boolean enabled = !"false".equals(System.getProperty("morse.cpu.skinny"));
    /**
     * Bytes of operand rows per block: a block of r rows touches r·(k + n) doubles of A and C (NN)
     * or r·(m + n) of A and B (TN). Package-private and mutable for the A/B bench only.
     */
    static volatile int budget = 128 << 10;
    /** Fewest and most rows per block. */
    static final int MIN_BLOCK = 128;
    static final int MAX_BLOCK = 8192;
    /** Small dimensions: n and k of NN, each side of op(B) of NT, each side of the result of TN. */
    static final int SMALL = 32;

    private DoublePointer scratch;
    private DoubleBuffer scratchBuf;
    private long scratchLen;
    /** Times the scratch was (re)allocated (tests). */
    long scratchAllocations;

    /**
     * Computes the product when its shape is one of the skinny ones and returns true; otherwise
     * (or with a leading dimension OpenBLAS would reject) does nothing and returns false. Sizes
     * are positive here (the caller handles empty products and k = 0).
     */
    boolean gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                 CpuArray a, long ao, int lda, CpuArray b, long bo, int ldb,
                 double beta, CpuArray c, long co, int ldc) {
        if (!enabled || m <= 0 || n <= 0 || k <= 0 || ldc < Math.max(1, n)) { // negative sizes: OpenBLAS's error
            return false;
        }
        if (!transA && !transB) {
            int bl = rows(k, n);
            if (m < 2 * bl || n > SMALL || k > SMALL || lda < Math.max(1, k) || ldb < Math.max(1, n)
                    || CpuBackend.threads() > 1) {
                return false;
            }
            rowBlocks(m, n, k, alpha, a, ao, lda, b.at(1, bo), ldb, beta, c, co, ldc, bl);
            return true;
        }
        if (!transA) { // NT: B stored n×k
            int bl = rows(k, n);
            if (m < 2 * bl || n > SMALL || k > SMALL || lda < Math.max(1, k) || ldb < Math.max(1, k)
                    || bo < 0 || !b.viewReaches(bo + (long) (n - 1) * ldb + k)) {
                return false;
            }
            DoubleBuffer src = b.buf;
            DoubleBuffer dst = scratch(k * n);
            int base = (int) bo;
            for (int j = 0; j < n; j++) { // Bᵀ[p][j] = B[j][p], Bᵀ k×n with leading dimension n
                int row = base + j * ldb;
                for (int p = 0; p < k; p++) {
                    dst.put(p * n + j, src.get(row + p));
                }
            }
            rowBlocks(m, n, k, alpha, a, ao, lda, scratch.position(0), n, beta, c, co, ldc, bl);
            return true;
        }
        if (!transB) { // TN: A stored k×m, B stored k×n, the reduction over k rows
            int bl = rows(m, n);
            if (k < 2 * bl || m > SMALL || n > SMALL || lda < Math.max(1, m) || ldb < Math.max(1, n)) {
                return false;
            }
            for (int r0 = 0; r0 < k; r0 += bl) {
                int rows = Math.min(bl, k - r0);
                openblas.cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, rows, alpha,
                        a.at(0, ao + (long) r0 * lda), lda, b.at(1, bo + (long) r0 * ldb), ldb,
                        r0 == 0 ? beta : 1.0, c.at(2, co), ldc);
            }
            return true;
        }
        return false;
    }

    /** Rows per block when a row of one operand has {@code a} elements and of the other {@code b}. */
    static int rows(int a, int b) {
        return Math.max(MIN_BLOCK, Math.min(MAX_BLOCK, budget / (8 * (a + b))));
    }

    private static void rowBlocks(int m, int n, int k, double alpha, CpuArray a, long ao, int lda,
                                  DoublePointer b, int ldb, double beta, CpuArray c, long co, int ldc, int bl) {
        for (int r0 = 0; r0 < m; r0 += bl) {
            int rows = Math.min(bl, m - r0);
            openblas.cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, n, k, alpha,
                    a.at(0, ao + (long) r0 * lda), lda, b, ldb, beta, c.at(2, co + (long) r0 * ldc), ldc);
        }
    }

    /** The scratch, at least {@code len} elements (grown when too small, kept otherwise). */
    private DoubleBuffer scratch(int len) {
        if (len > scratchLen) {
            if (scratch != null) {
                scratch.close();
            }
            scratchLen = Math.max(len, 2 * scratchLen);
            scratch = new DoublePointer(scratchLen);
            scratchBuf = scratch.limit(scratchLen).asBuffer();
            scratchAllocations++;
        }
        return scratchBuf;
    }

    @Override
    public void close() {
        if (scratch != null) {
            scratch.close();
            scratch = null;
            scratchBuf = null;
            scratchLen = 0;
        }
    }
}
