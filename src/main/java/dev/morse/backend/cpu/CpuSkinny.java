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
 * <li>NN, many rows, n and k ≤ {@link #SMALL}: the rows in blocks of {@link #rows} rows.
 * <li>NT (C = A·Bᵀ, the adjoint passed down a layer), many rows, op(B) ≤ {@link #SMALL}²
 * elements: B transposed once into a scratch kept by this object (grown, never shrunk: no
 * allocation per call once warm), then as NN.
 * <li>TN (W = Aᵀ·C, a weight gradient reduced over many rows), result ≤ {@link #SMALL}²: the
 * reduction in blocks of rows, the first with the caller's β, the rest with β = 1 (summation
 * order differs from the one call: results agree to rounding, not bitwise).
 * </ul>
 * Why: on these shapes OpenBLAS's one call runs at half the speed of the same product cut into
 * blocks whose operand rows stay in L2 (one thread); NT is slow in itself, and NN after an explicit
 * transposition is not. Blocks of 128 KiB of operand rows (rows = 128 Ki / (8·(n + k))) did as
 * well as 256 KiB and better than larger ones for n = k = 32; at n = k = 64 and 24×48 the blocks
 * lost on two threads (OpenBLAS threads the one large call well there), so sides are ≤ 32.
 * SkinnyGemmAbBench, µs, median of 15 alternating rounds, path off → on (2 cores shared with
 * another Maven run, load 2-3: ±10%; MxNxK: NN = A[M,K]·B[K,N], NT = C[M,N]·Bᵀ, TN = Aᵀ·C):
 * <pre>
 *                   1 thread                        2 threads
 * MxNxK         NN         NT         TN          NN         NT         TN
 * 10000x12x16   166→113    144→67     310→127     91→109     76→70      264→98
 * 10000x8x12     43→41     132→75      64→63      39→39      60→67       54→51
 * 10000x10x8     65→69      91→32      47→48      63→61      52→35       44→45
 * 10000x8x16    127→61     140→61     205→65      78→57      64→57      180→63
 * 10000x16x8    116→54     160→72     176→55      66→65      71→54      144→43
 * 10000x16x16   210→130    190→100    282→123     91→89      91→89      272→103
 * 10000x12x8     71→67      96→38      56→52      72→65      79→39       53→49
 * 10000x8x10     39→39     106→61      54→55      35→35     101→60       52→53
 * 40000x12x16   777→566    681→370   1123→608    464→520    391→368    1269→598
 * 10000x32x32   560→293    532→280    726→461    373→315    352→277     510→380
 * </pre>
 * Wider products (10000x64x64, 10000x256x256, 20000x64x784) go straight through: equal within noise.
 * The loss, NN 12×16 on two threads (≈ 15%, in every run), stayed with NN blocks of m·n·k ≥ 2¹⁹,
 * large enough for OpenBLAS to thread each, and went only when the blocks were half the product;
 * in a 16-12-8-10 network the TN and NT gains of the same layer outweigh it.
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
            if (m < 2 * bl || n > SMALL || k > SMALL || lda < Math.max(1, k) || ldb < Math.max(1, n)) {
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
