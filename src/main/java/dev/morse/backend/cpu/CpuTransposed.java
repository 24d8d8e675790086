package dev.morse.backend.cpu;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.openblas.global.openblas_full;

/**
 * Products with a tall, narrow result for {@link CpuBackend#gemm}: C (m×n, n ≤ {@link #MAX_N},
 * m ≥ 4n) over a long inner dimension (k ≥ {@link #MIN_K}) is computed as its transpose,
 * Cᵀ = op(B)ᵀ·op(A)ᵀ (n×m) into a kept scratch, then transposed into C (β·C added). These are a
 * wide network's first-layer products on one shard of the rows (X·W, 5000×784 by 784×64) and
 * its weight gradients (Xᵀ·Z̄, a 784×64 result over 5000 rows), and every output layer's (A·W
 * to 10 classes). OpenBLAS runs the transposed product faster on them; the transposition is
 * m·n elements against the product's m·n·k multiply-adds.
 *
 * <p>Measured on one thread (2-core Xeon, OpenBLAS 0.3.31 Cooperlake kernels, best of 15 calls,
 * two rounds agreeing within 3%; 2048³ ran at 76 GFLOP/s on one thread), GFLOP/s of the product
 * alone, C = A·B as one call → Cᵀ = Bᵀ·Aᵀ, and C = Aᵀ·B → Cᵀ = Bᵀ·A:
 * <pre>
 * rows × k × n        A·B          Aᵀ·B (weight gradient, k×n result over the rows)
 * 5000 × 784 × 64     39.6 → 51.4  44.3 → 52.3
 * 5000 × 784 × 256    55.4 → 69.6  60.5 → 65.4
 * 5000 × 256 × 256    58.3 → 69.2  58.7 → 60.0  (n > 64: not taken)
 * 5000 × 784 × 10     17.1 → 23.6  16.4 → 25.1
 * 5000 × 256 × 10     15.9 → 19.8  13.2 → 21.2
 * 30000 × 1024 × 10   11.7 → 18.0  10.3 → 19.7
 * 30000 × 784 × 1024  69.1 → 72.7  72.7 → 69.2  (n > 256: not taken)
 * </pre>
 * With the transposition counted (C·B through {@link CpuBackend#gemm}, path off → on, one thread):
 * 5000×784×64 A·B 39.9 → 48.5, Aᵀ·B 44.9 → 52.6; 5000×784×10 16.7 → 19.2, 16.6 → 22.5;
 * 30000×1024×10 11.7 → 17.5, 10.5 → 20.2; two threads, 10000×784×64 70.7-72.2 → 78.6-82.3 and
 * 80.7-81.5 → 88.9-92.7, 60000×1024×10 17.4-17.7 → 27.5 and 19.9 → 28.4-28.7. At n = 256 the
 * transposition (memory-bound, one thread) ate the gain: 10000×256×256 A·B fell from 108 to 61
 * on two threads, hence n ≤ 64.
 *
 * <p>Each dot product is the same sum, but OpenBLAS may block it differently in the two forms, so
 * results agree to rounding, not bitwise. The switch {@link #enabled} (system property
 * {@code morse.cpu.transposed=false}) turns the path off.
 */
final class CpuTransposed implements AutoCloseable {
    /** Process-wide switch (system property morse.cpu.transposed=false turns the path off, for A/B timing). */
    static volatile boolean enabled = !"false".equals(System.getProperty("morse.cpu.transposed"));
    /** Widest result taken (n): at 256 the transposition costs what the product gains. */
    static final int MAX_N = 64;
    /** Shortest inner dimension taken: below it the narrow networks' products belong to {@link CpuSkinny}. */
    static final int MIN_K = 64;

    private DoublePointer t;
    private long tLen;
    private DoublePointer u;
    private long uLen;
    /** Times a scratch was (re)allocated (tests). */
    long scratchAllocations;

    /**
     * Computes the product when its result is tall and narrow and returns true; otherwise does
     * nothing and returns false. Sizes are positive here (the caller handles empty products).
     */
    boolean gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                 CpuArray a, long ao, int lda, CpuArray b, long bo, int ldb,
                 double beta, CpuArray c, long co, int ldc) {
        if (!enabled || n > MAX_N || m < 4 * n || k < MIN_K || ldc < n
                || lda < Math.max(1, transA ? m : k) || ldb < Math.max(1, transB ? k : n)) {
            return false;
        }
        long len = (long) m * n;
        DoublePointer tp = t(len);
        // Cᵀ (n×m, leading dimension m) = α·op(B)ᵀ·op(A)ᵀ
        openblas.cblas_dgemm(CblasRowMajor, transB ? CblasNoTrans : CblasTrans, transA ? CblasNoTrans : CblasTrans,
                n, m, k, alpha, b.at(1, bo), ldb, a.at(0, ao), lda, 0.0, tp, m);
        if (beta == 0.0) { // overwrite: C's old contents are ignored, even NaN
            openblas_full.cblas_domatcopy(CblasRowMajor, CblasTrans, n, m, 1.0, tp, m, c.at(2, co), ldc);
        } else {
            DoublePointer up = u(len);
            openblas_full.cblas_domatcopy(CblasRowMajor, CblasTrans, n, m, 1.0, tp, m, up, n);
            openblas_full.cblas_dgeadd(CblasRowMajor, m, n, 1.0, up, n, beta, c.at(2, co), ldc);
        }
        return true;
    }

    private DoublePointer t(long len) {
        if (len > tLen) {
            if (t != null) {
                t.close();
            }
            tLen = len;
            t = new DoublePointer(tLen);
            scratchAllocations++;
        }
        return t.position(0);
    }

    private DoublePointer u(long len) {
        if (len > uLen) {
            if (u != null) {
                u.close();
            }
            uLen = len;
            u = new DoublePointer(uLen);
            scratchAllocations++;
        }
        return u.position(0);
    }

    @Override
    public void close() {
        if (t != null) {
            t.close();
            t = null;
            tLen = 0;
        }
        if (u != null) {
            u.close();
            u = null;
            uLen = 0;
        }
    }
}
