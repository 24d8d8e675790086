package dev.morse.backend.cpu;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.LAPACK_COL_MAJOR;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.IArray;
import dev.morse.backend.Inertia;
import dev.morse.backend.LdlInertia;
import dev.morse.backend.LinalgStatus;
import dev.morse.backend.UnaryFn;
import java.nio.DoubleBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.openblas.global.openblas_full;

/**
 * TEST REFERENCE: the CPU backend as it was before its elementwise loops were tiled and split
 * (one element at a time through DoubleBuffer), kept verbatim (its elementwise functions now
 * one element at a time through the table, UnaryFn.eval) so tests can check the fast loops
 * bit for bit against it and benchmarks can time both in one process. The CPU backend: OpenBLAS (through org.bytedeco:openblas) for BLAS and LAPACK, Java loops
 * over off-heap memory for the fused elementwise kernels. LAPACK routines are called in
 * column-major layout on symmetric input, which is the same matrix, so no transposition
 * copy is made; their workspaces are queried once and kept.
 */
final class ScalarCpuBackend implements Backend {
    private static final Object LOAD_LOCK = new Object();
    private static volatile boolean loaded;

    /** Counts the arrays' bytes (they are CpuArrays, so both backends read them). */
    private final CpuBackend mem = new CpuBackend();
    private boolean closed;
    private long allocations;

    // LAPACK workspaces, grown on demand and kept (queried sizes).
    private DoublePointer work = new DoublePointer(1);
    private long workLen = 1;
    private IntPointer iwork = new IntPointer(1);
    private long iworkLen = 1;
    private final DoublePointer query = new DoublePointer(1);
    private final IntPointer iquery = new IntPointer(1);

    ScalarCpuBackend() {
        ensureLoaded();
    }

    /** Loads OpenBLAS once; throws with the loader's reason if the native library is missing. */
    public static void ensureLoaded() {
        if (!loaded) {
            synchronized (LOAD_LOCK) {
                if (!loaded) {
                    Loader.load(openblas.class);
                    Loader.load(openblas_full.class);
                    loaded = true;
                }
            }
        }
    }

    /** OpenBLAS threads in use. */
    public static int threads() {
        ensureLoaded();
        return openblas_full.openblas_get_num_threads();
    }

    /** Sets the OpenBLAS thread count (process-wide). */
    public static void setThreads(int n) {
        ensureLoaded();
        openblas_full.openblas_set_num_threads(n);
    }

    /** The OpenBLAS build string (version, target core). */
    public static String buildInfo() {
        ensureLoaded();
        try {
            String cfg = openblas_full.openblas_get_config().getString().trim();
            String core = openblas_full.openblas_get_corename().getString().trim();
            return cfg + " (core " + core + ")";
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "(build string unavailable: " + e.getMessage() + ")";
        }
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "OpenBLAS " + buildInfo() + ", " + threads() + " threads";
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("cpu backend used after close");
        }
    }

    private static CpuArray c(DArray a) {
        if (!(a instanceof CpuArray)) {
            throw new IllegalArgumentException("array of backend "
                    + (a == null ? "null" : a.backend().name()) + " passed to the cpu backend");
        }
        CpuArray ca = (CpuArray) a;
        if (ca.closed()) {
            throw new IllegalStateException("cpu array used after close");
        }
        return ca;
    }

    private static DoubleBuffer b(DArray a) {
        return c(a).buf;
    }

    private static int i(long v) {
        return Math.toIntExact(v);
    }

    // ---------------------------------------------------------------- memory

    @Override
    public DArray alloc(long n) {
        live();
        allocations++;
        return new CpuArray(this, mem, n);
    }

    @Override
    public IArray allocInt(int n) {
        live();
        if (n < 0) {
            throw new IllegalArgumentException("negative array length " + n);
        }
        allocations++;
        return new CpuIntArray(this, mem, n);
    }

    private static CpuIntArray ci(IArray a) {
        if (!(a instanceof CpuIntArray)) {
            throw new IllegalArgumentException("int array of backend "
                    + (a == null ? "null" : a.backend().name()) + " passed to the cpu backend");
        }
        CpuIntArray ca = (CpuIntArray) a;
        if (ca.closed()) {
            throw new IllegalStateException("cpu int array used after close");
        }
        return ca;
    }

    @Override
    public long allocations() {
        return allocations;
    }

    @Override
    public long liveBytes() {
        return mem.liveBytes();
    }

    @Override
    public void upload(double[] src, int srcOff, DArray dst, long dstOff, int n) {
        live();
        c(dst).at(0, dstOff).put(src, srcOff, n);
    }

    @Override
    public void download(DArray src, long srcOff, double[] dst, int dstOff, int n) {
        live();
        c(src).at(0, srcOff).get(dst, dstOff, n);
    }

    @Override
    public void uploadInt(int[] src, int srcOff, IArray dst, int dstOff, int n) {
        live();
        System.arraycopy(src, srcOff, ci(dst).data, dstOff, n);
    }

    @Override
    public void downloadInt(IArray src, int srcOff, int[] dst, int dstOff, int n) {
        live();
        System.arraycopy(ci(src).data, srcOff, dst, dstOff, n);
    }

    @Override
    public void synchronize() {
        live();
    }

    // ---------------------------------------------------------------- BLAS-1

    @Override
    public void copy(long n, DArray x, long xo, DArray y, long yo) {
        live();
        if (n == 0) {
            return;
        }
        openblas.cblas_dcopy(i(n), c(x).at(0, xo), 1, c(y).at(1, yo), 1);
    }

    @Override
    public void fill(long n, double v, DArray y, long yo) {
        live();
        DoubleBuffer yb = b(y);
        int o = i(yo);
        for (int j = 0, m = i(n); j < m; j++) {
            yb.put(o + j, v);
        }
    }

    @Override
    public void scal(long n, double a, DArray x, long xo) {
        live();
        if (n == 0) {
            return;
        }
        openblas.cblas_dscal(i(n), a, c(x).at(0, xo), 1);
    }

    @Override
    public void axpy(long n, double a, DArray x, long xo, DArray y, long yo) {
        live();
        if (n == 0) {
            return;
        }
        openblas.cblas_daxpy(i(n), a, c(x).at(0, xo), 1, c(y).at(1, yo), 1);
    }

    @Override
    public void axpby(long n, double a, DArray x, long xo, double bb, DArray y, long yo) {
        live();
        DoubleBuffer xb = b(x);
        DoubleBuffer yb = b(y);
        int xi = i(xo);
        int yi = i(yo);
        int m = i(n);
        if (bb == 0.0) {
            for (int j = 0; j < m; j++) {
                yb.put(yi + j, a * xb.get(xi + j));
            }
        } else {
            for (int j = 0; j < m; j++) {
                yb.put(yi + j, a * xb.get(xi + j) + bb * yb.get(yi + j));
            }
        }
    }

    @Override
    public double dot(long n, DArray x, long xo, DArray y, long yo) {
        live();
        if (n == 0) {
            return 0.0;
        }
        return openblas.cblas_ddot(i(n), c(x).at(0, xo), 1, c(y).at(1, yo), 1);
    }

    @Override
    public double nrm2(long n, DArray x, long xo) {
        live();
        if (n == 0) {
            return 0.0;
        }
        return openblas.cblas_dnrm2(i(n), c(x).at(0, xo), 1);
    }

    // ---------------------------------------------------------------- BLAS-2/3

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                     DArray a, long ao, int lda, DArray bm, long bo, int ldb,
                     double beta, DArray cm, long co, int ldc) {
        live();
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (beta == 0.0) {
                for (int r = 0; r < m; r++) {
                    fill(n, 0.0, cm, co + (long) r * ldc);
                }
            } else {
                for (int r = 0; r < m; r++) {
                    scal(n, beta, cm, co + (long) r * ldc);
                }
            }
            return;
        }
        openblas.cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, m, n, k, alpha,
                c(a).at(0, ao), lda, c(bm).at(1, bo), ldb, beta, c(cm).at(2, co), ldc);
    }

    @Override
    public void gemv(boolean transA, int m, int n, double alpha, DArray a, long ao, int lda,
                     DArray x, long xo, double beta, DArray y, long yo) {
        live();
        int ylen = transA ? n : m;
        if (ylen == 0) {
            return;
        }
        if ((transA ? m : n) == 0) {
            if (beta == 0.0) {
                fill(ylen, 0.0, y, yo);
            } else {
                scal(ylen, beta, y, yo);
            }
            return;
        }
        openblas.cblas_dgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, m, n, alpha,
                c(a).at(0, ao), lda, c(x).at(1, xo), 1, beta, c(y).at(2, yo), 1);
    }

    // ---------------------------------------------------------------- fused elementwise
    // One element at a time through the table (UnaryFn.eval with m = 1): the tiling, splitting
    // and fusion of the CPU backend are what differs.
    private final double[] one = new double[1];
    private final double[] oneY = new double[1];
    private final double[] oneD1 = new double[1];
    private final double[] oneD2 = new double[1];

    @Override
    public void unary(UnaryFn f, int p, long n, DArray x, long xo, DArray y, long yo) {
        live();
        DoubleBuffer xb = b(x);
        DoubleBuffer yb = b(y);
        int xi = i(xo);
        int yi = i(yo);
        int m = i(n);
        for (int j = 0; j < m; j++) {
            one[0] = xb.get(xi + j);
            f.eval(p, one, oneY, null, null, 1);
            yb.put(yi + j, oneY[0]);
        }
    }

    @Override
    public void unaryDerivatives(UnaryFn f, int p, long n, DArray x, long xo, DArray y, long yo,
                                 DArray d1, long d1o, DArray d2, long d2o) {
        live();
        DoubleBuffer xb = b(x);
        DoubleBuffer yb = b(y);
        DoubleBuffer ab = b(d1);
        DoubleBuffer bb = b(d2);
        int xi = i(xo);
        int yi = i(yo);
        int ai = i(d1o);
        int bi = i(d2o);
        int m = i(n);
        for (int j = 0; j < m; j++) {
            one[0] = xb.get(xi + j);
            f.eval(p, one, oneY, oneD1, oneD2, 1);
            yb.put(yi + j, oneY[0]);
            ab.put(ai + j, oneD1[0]);
            bb.put(bi + j, oneD2[0]);
        }
    }

    /** Rows per chunk of the fused layer ops: the chunk stays in cache between the two loops. */
    private static int fusedChunkRows(int cols) {
        return Math.max(1, 4096 / Math.max(1, cols));
    }

    private static void fusedShape(int rows, int cols, int k) {
        if (rows < 0 || cols < 0 || k < 0) {
            throw new IllegalArgumentException("negative size: rows=" + rows + ", cols=" + cols + ", k=" + k);
        }
    }

    @Override
    public void biasUnary(UnaryFn f, int p, int rows, int cols, DArray bv, long bo, DArray z, long zo,
                          DArray y, long yo, DArray d1, long d1o, DArray d2, long d2o) {
        live();
        fusedShape(rows, cols, 1);
        if ((d1 == null) != (d2 == null)) {
            throw new IllegalArgumentException("biasUnary: d1 and d2 must both be given or both be null");
        }
        // chunks of rows: bias then activation while the chunk is in cache, with the very
        // loops of addRowVector and unary / unaryDerivatives (so bitwise the same result)
        int chunk = fusedChunkRows(cols);
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int rc = Math.min(chunk, rows - r0);
            long at = (long) r0 * cols;
            long len = (long) rc * cols;
            addRowVector(rc, cols, 1, 1.0, bv, bo, false, z, zo + at);
            if (d1 == null) {
                unary(f, p, len, z, zo + at, y, yo + at);
            } else {
                unaryDerivatives(f, p, len, z, zo + at, y, yo + at, d1, d1o + at, d2, d2o + at);
            }
        }
    }

    @Override
    public void biasMulShared(int rows, int cols, int k, DArray bv, long bo, boolean bPerBlock, DArray z, long zo,
                              DArray d, long dOff, DArray y, long yo) {
        live();
        fusedShape(rows, cols, k);
        long size = (long) rows * cols;
        int chunk = fusedChunkRows(cols);
        for (int j = 0; j < k; j++) {
            long bj = bo + (bPerBlock ? (long) j * cols : 0L);
            for (int r0 = 0; r0 < rows; r0 += chunk) {
                int rc = Math.min(chunk, rows - r0);
                long at = (long) r0 * cols;
                long zj = zo + j * size + at;
                addRowVector(rc, cols, 1, 1.0, bv, bj, false, z, zj);
                mulShared((long) rc * cols, 1, 1.0, d, dOff + at, z, zj, 0.0, y, yo + j * size + at);
            }
        }
    }

    @Override
    public void mulShared(long n, int k, double alpha, DArray x, long xo, DArray y, long yo,
                          double beta, DArray z, long zo) {
        live();
        DoubleBuffer xb = b(x);
        DoubleBuffer yb = b(y);
        DoubleBuffer zb = b(z);
        int m = i(n);
        int xi = i(xo);
        for (int blk = 0; blk < k; blk++) {
            int yi = i(yo + (long) blk * n);
            int zi = i(zo + (long) blk * n);
            if (beta == 0.0) {
                for (int j = 0; j < m; j++) {
                    zb.put(zi + j, alpha * xb.get(xi + j) * yb.get(yi + j));
                }
            } else {
                for (int j = 0; j < m; j++) {
                    zb.put(zi + j, beta * zb.get(zi + j) + alpha * xb.get(xi + j) * yb.get(yi + j));
                }
            }
        }
    }

    @Override
    public void mul2Shared(long n, int k, DArray a, long ao, DArray x, long xo, DArray bm, long bo,
                           DArray y, long yo, double beta, DArray z, long zo) {
        live();
        DoubleBuffer ab = b(a);
        DoubleBuffer xb = b(x);
        DoubleBuffer bb = b(bm);
        DoubleBuffer yb = b(y);
        DoubleBuffer zb = b(z);
        int m = i(n);
        int ai = i(ao);
        int bi = i(bo);
        for (int blk = 0; blk < k; blk++) {
            int xi = i(xo + (long) blk * n);
            int yi = i(yo + (long) blk * n);
            int zi = i(zo + (long) blk * n);
            if (beta == 0.0) {
                for (int j = 0; j < m; j++) {
                    zb.put(zi + j, ab.get(ai + j) * xb.get(xi + j) + bb.get(bi + j) * yb.get(yi + j));
                }
            } else {
                for (int j = 0; j < m; j++) {
                    zb.put(zi + j, beta * zb.get(zi + j)
                            + ab.get(ai + j) * xb.get(xi + j) + bb.get(bi + j) * yb.get(yi + j));
                }
            }
        }
    }

    @Override
    public void scaleByScalar(long n, int k, double alpha, DArray s, long so, boolean sPerBlock,
                              DArray x, long xo, boolean xPerBlock, double beta, DArray y, long yo) {
        live();
        DoubleBuffer sb = b(s);
        DoubleBuffer xb = x == null ? null : b(x);
        DoubleBuffer yb = b(y);
        int m = i(n);
        for (int blk = 0; blk < k; blk++) {
            double a = alpha * sb.get(i(so + (sPerBlock ? blk : 0)));
            int yi = i(yo + (long) blk * n);
            if (xb == null) {
                for (int j = 0; j < m; j++) {
                    yb.put(yi + j, beta == 0.0 ? a : beta * yb.get(yi + j) + a);
                }
            } else {
                int xi = i(xo + (xPerBlock ? (long) blk * n : 0L));
                if (beta == 0.0) {
                    for (int j = 0; j < m; j++) {
                        yb.put(yi + j, a * xb.get(xi + j));
                    }
                } else {
                    for (int j = 0; j < m; j++) {
                        yb.put(yi + j, beta * yb.get(yi + j) + a * xb.get(xi + j));
                    }
                }
            }
        }
    }

    @Override
    public void addRowVector(int rows, int cols, int k, double alpha, DArray bv, long bo,
                             boolean bPerBlock, DArray z, long zo) {
        live();
        DoubleBuffer bb = b(bv);
        DoubleBuffer zb = b(z);
        long size = (long) rows * cols;
        for (int blk = 0; blk < k; blk++) {
            int bi = i(bo + (bPerBlock ? (long) blk * cols : 0L));
            for (int r = 0; r < rows; r++) {
                int zi = i(zo + blk * size + (long) r * cols);
                for (int c = 0; c < cols; c++) {
                    zb.put(zi + c, zb.get(zi + c) + alpha * bb.get(bi + c));
                }
            }
        }
    }

    @Override
    public void columnSums(int rows, int cols, int k, double alpha, DArray x, long xo,
                           double beta, DArray y, long yo) {
        live();
        DoubleBuffer xb = b(x);
        DoubleBuffer yb = b(y);
        long size = (long) rows * cols;
        for (int blk = 0; blk < k; blk++) {
            int yi = i(yo + (long) blk * cols);
            for (int c = 0; c < cols; c++) {
                yb.put(yi + c, beta == 0.0 ? 0.0 : beta * yb.get(yi + c));
            }
            for (int r = 0; r < rows; r++) {
                int xi = i(xo + blk * size + (long) r * cols);
                for (int c = 0; c < cols; c++) {
                    yb.put(yi + c, yb.get(yi + c) + alpha * xb.get(xi + c));
                }
            }
        }
    }

    @Override
    public void sums(long n, int k, double alpha, DArray x, long xo, double beta, DArray y, long yo) {
        live();
        DoubleBuffer xb = b(x);
        DoubleBuffer yb = b(y);
        int m = i(n);
        for (int blk = 0; blk < k; blk++) {
            int xi = i(xo + (long) blk * n);
            double acc = 0.0;
            for (int j = 0; j < m; j++) {
                acc += xb.get(xi + j);
            }
            int yi = i(yo + blk);
            yb.put(yi, (beta == 0.0 ? 0.0 : beta * yb.get(yi)) + alpha * acc);
        }
    }

    // ---------------------------------------------------------------- softmax cross-entropy

    @Override
    public void softmaxCrossEntropy(int rows, int cols, DArray z, long zo, IArray labels,
                                    DArray p, long po, DArray g, long go, DArray loss, long lo) {
        live();
        DoubleBuffer zb = b(z);
        DoubleBuffer pb = b(p);
        DoubleBuffer gb = b(g);
        int[] lab = ci(labels).data;
        if (lab.length < rows) {
            throw new IllegalArgumentException("softmaxCrossEntropy: " + lab.length
                    + " labels for " + rows + " rows");
        }
        double total = 0.0;
        for (int r = 0; r < rows; r++) {
            int zi = i(zo + (long) r * cols);
            int pi = i(po + (long) r * cols);
            int gi = i(go + (long) r * cols);
            int y = lab[r];
            if (y < 0 || y >= cols) {
                throw new IllegalArgumentException("softmaxCrossEntropy: label " + y
                        + " of row " + r + " is outside [0, " + cols + ")");
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, zb.get(zi + c));
            }
            double sum = 0.0;
            for (int c = 0; c < cols; c++) {
                double e = Math.exp(zb.get(zi + c) - max);
                pb.put(pi + c, e);
                sum += e;
            }
            double inv = 1.0 / sum;
            for (int c = 0; c < cols; c++) {
                double pr = pb.get(pi + c) * inv;
                pb.put(pi + c, pr);
                gb.put(gi + c, c == y ? pr - 1.0 : pr);
            }
            total += max + Math.log(sum) - zb.get(zi + y);
        }
        b(loss).put(i(lo), total / rows);
    }

    /** The softmax JVP (dp_j ← β·dp_j + α·P∘(dz_j − rowsum(P∘dz_j)·1ᵀ)), the first of the three passes below. */
    private void softmaxJvp(int rows, int cols, int k, DArray p, long po, DArray dz, long dzo,
                            double alpha, double beta, DArray dp, long dpo) {
        live();
        DoubleBuffer pb = b(p);
        DoubleBuffer zb = b(dz);
        DoubleBuffer ob = b(dp);
        long size = (long) rows * cols;
        for (int blk = 0; blk < k; blk++) {
            for (int r = 0; r < rows; r++) {
                int pi = i(po + (long) r * cols);
                int zi = i(dzo + blk * size + (long) r * cols);
                int oi = i(dpo + blk * size + (long) r * cols);
                double s = 0.0;
                for (int c = 0; c < cols; c++) {
                    s += pb.get(pi + c) * zb.get(zi + c);
                }
                for (int c = 0; c < cols; c++) {
                    double v = alpha * pb.get(pi + c) * (zb.get(zi + c) - s);
                    ob.put(oi + c, beta == 0.0 ? v : beta * ob.get(oi + c) + v);
                }
            }
        }
    }

    /** The three passes the fused op replaced: Ṗ into a scratch, then the G term, then the Ṗ term. */
    @Override
    public void softmaxCeTvjp(int rows, int cols, int k, double alpha, DArray p, long po, DArray g, long go,
                              DArray dz, long dzo, DArray l, long lo, DArray ldot, long ldo, double beta,
                              DArray out, long oo) {
        live();
        long size = (long) rows * cols;
        try (DArray pd = alloc(Math.max(1, k * size))) {
            softmaxJvp(rows, cols, k, p, po, dz, dzo, 1.0, 0.0, pd, 0);
            scaleByScalar(size, k, alpha, ldot, ldo, true, g, go, false, beta, out, oo);
            scaleByScalar(size, k, alpha, l, lo, false, pd, 0, true, 1.0, out, oo);
        }
    }

    // ---------------------------------------------------------------- LAPACK

    private void ensureWork(long n) {
        if (workLen < n) {
            work.close();
            work = new DoublePointer(n);
            workLen = n;
        }
    }

    private void ensureIwork(long n) {
        if (iworkLen < n) {
            iwork.close();
            iwork = new IntPointer(n);
            iworkLen = n;
        }
    }

    @Override
    public LinalgStatus syevd(int n, DArray a, long ao, DArray w, long wo, boolean vectors) {
        live();
        if (n == 0) {
            return new LinalgStatus("dsyevd", 0);
        }
        byte jobz = (byte) (vectors ? 'V' : 'N');
        DoublePointer ap = c(a).at(0, ao);
        DoublePointer wp = c(w).at(1, wo);
        int info = openblas.LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, jobz, (byte) 'U', n, ap, n, wp,
                query, -1, iquery, -1);
        if (info != 0) {
            return new LinalgStatus("dsyevd", info);
        }
        long lwork = (long) query.get(0);
        long liwork = iquery.get(0);
        ensureWork(lwork);
        ensureIwork(liwork);
        // row-major symmetric A is the same matrix column-major; eigenvectors come back as
        // columns in column-major order, i.e. as rows of the row-major array.
        info = openblas.LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, jobz, (byte) 'U', n, ap, n, wp,
                work, i(lwork), iwork, i(liwork));
        return new LinalgStatus("dsyevd", info);
    }

    @Override
    public Inertia inertia(int n, DArray a, long ao) {
        live();
        if (n == 0) {
            return new Inertia(0, 0, 0, new LinalgStatus("dsytrf", 0));
        }
        ensureIwork(n);
        DoublePointer ap = c(a).at(0, ao);
        int info = openblas.LAPACKE_dsytrf_work(LAPACK_COL_MAJOR, (byte) 'L', n, ap, n, iwork,
                query, -1);
        if (info < 0) {
            return new Inertia(0, 0, 0, new LinalgStatus("dsytrf", info));
        }
        long lwork = Math.max(1, (long) query.get(0));
        ensureWork(lwork);
        info = openblas.LAPACKE_dsytrf_work(LAPACK_COL_MAJOR, (byte) 'L', n, ap, n, iwork,
                work, i(lwork));
        if (info < 0) {
            return new Inertia(0, 0, 0, new LinalgStatus("dsytrf", info));
        }
        // info > 0: D(info,info) is exactly zero; the factorization is complete and the
        // inertia is still well defined (that block counts as zero).
        DoubleBuffer ab = b(a);
        int base = i(ao);
        double[] diag = new double[n];
        double[] sub = new double[Math.max(0, n - 1)];
        int[] ipiv = new int[n];
        for (int k = 0; k < n; k++) {
            diag[k] = ab.get(base + k + k * n);                // D(k,k), column-major
            if (k + 1 < n) {
                sub[k] = ab.get(base + (k + 1) + k * n);       // D(k+1,k), lower triangle
            }
            ipiv[k] = iwork.get(k);
        }
        return LdlInertia.count(n, diag, sub, ipiv, new LinalgStatus("dsytrf", 0));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            work.close();
            iwork.close();
            query.close();
            iquery.close();
            mem.close();
        }
    }

    // transpose and max came after the tiled loops and have only the scalar form: the CPU backend's own
    @Override
    public void transpose(int rows, int cols, int k, double alpha, DArray x, long xo, double beta, DArray y, long yo) {
        mem.transpose(rows, cols, k, alpha, x, xo, beta, y, yo);
    }

    @Override
    public void max(long n, DArray a, long ao, DArray bv, long bo, DArray y, long yo, DArray m, long mo) {
        mem.max(n, a, ao, bv, bo, y, yo, m, mo);
    }
}
