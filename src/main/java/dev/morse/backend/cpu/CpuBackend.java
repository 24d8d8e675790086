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
 * The CPU backend: OpenBLAS (through org.bytedeco:openblas) for BLAS and LAPACK (tall-skinny
 * products in row blocks: {@link CpuSkinny}; tall, narrow results computed transposed: {@link CpuTransposed}), Java loops
 * over off-heap memory for the fused elementwise kernels: over cache-sized tiles
 * ({@link CpuLoops}), the large ones on two threads while the BLAS runs on two ({@link CpuSplit}). LAPACK routines are called in
 * column-major layout on symmetric input, which is the same matrix, so no transposition
 * copy is made; their workspaces are queried once and kept.
 */
public final class CpuBackend implements Backend {
    private static final Object LOAD_LOCK = new Object();
    private static volatile boolean loaded;

    private boolean closed;
    private long allocations;
    private long liveBytes;

    // LAPACK workspaces, grown on demand and kept (queried sizes).
    private DoublePointer work = new DoublePointer(1);
    private long workLen = 1;
    private IntPointer iwork = new IntPointer(1);
    private long iworkLen = 1;
    private final DoublePointer query = new DoublePointer(1);
    private final IntPointer iquery = new IntPointer(1);
    /** The elementwise loops, on this thread and (large ranges) one more. */
    private final CpuSplit split = new CpuSplit();
    /** Tall-skinny products in blocks (and its transposition scratch). */
    final CpuSkinny skinny = new CpuSkinny();
    /** Tall, narrow results computed transposed (and its scratch). */
    final CpuTransposed transposed = new CpuTransposed();
    // the kernels: one object each, its operands set before each call (no allocation per call)
    private final CpuLoops.Scale scale = new CpuLoops.Scale();
    private final CpuLoops.Unary unary = new CpuLoops.Unary();
    private final CpuLoops.Mul mul = new CpuLoops.Mul();
    private final CpuLoops.Mul2 mul2 = new CpuLoops.Mul2();
    private final CpuLoops.Sum sum = new CpuLoops.Sum();
    private final CpuLoops.BiasRows biasRows = new CpuLoops.BiasRows();
    private final CpuLoops.ColumnSums columnSums = new CpuLoops.ColumnSums();
    private final CpuLoops.SoftmaxCeTvjp softmaxCeTvjp = new CpuLoops.SoftmaxCeTvjp();
    private final CpuLoops.SoftmaxCrossEntropy softmaxCe = new CpuLoops.SoftmaxCrossEntropy();

    public CpuBackend() {
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
        return "OpenBLAS " + buildInfo() + ", " + threads() + " threads" + (threads() > 1 ? ", " + threadTimeout() : "");
    }

    /**
     * How long OpenBLAS's idle threads spin before they sleep, from OPENBLAS_THREAD_TIMEOUT (read
     * by the library once, when it loads: log₂ of the spin in cycles, 4 to 30). Unset, they spin
     * for 2²⁸ cycles (about 0.1 s) after every call, and on a narrow network's many small products
     * they then hold the core the elementwise worker ({@link CpuSplit}) needs: a 16-12-8-10@10000
     * gradient took 36 ms against 10 ms with OPENBLAS_THREAD_TIMEOUT=4 on a loaded 2-core machine.
     * ./morse and the tests set 4; a Java program using the library should set it in the
     * environment of its JVM.
     */
    public static String threadTimeout() {
        String v = System.getenv("OPENBLAS_THREAD_TIMEOUT");
        return v == null ? "OPENBLAS_THREAD_TIMEOUT unset (idle BLAS threads spin ~0.1 s)"
                : "OPENBLAS_THREAD_TIMEOUT=" + v;
    }

    /** Lane 0 is this backend; the others are CPU backends of their own, each on its own thread ({@link CpuLanes}). */
    @Override
    public Lanes lanes(int count) {
        live();
        return new CpuLanes(this, count);
    }

    /** The BLAS threads: a lane each, one core each. */
    @Override
    public int parallelLanes() {
        return threads();
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("cpu backend used after close");
        }
    }

    private static CpuArray c(DArray a) {
        CpuArray ca = a instanceof CpuArray x ? x : null;
        mine(ca, a == null ? null : a.backend(), "array", ca != null && ca.closed());
        return ca;
    }

    private static CpuIntArray ci(IArray a) {
        CpuIntArray ca = a instanceof CpuIntArray x ? x : null;
        mine(ca, a == null ? null : a.backend(), "int array", ca != null && ca.closed());
        return ca;
    }

    /** Throws unless {@code a} (null: another backend's, {@code from}) is a live array of this backend. */
    private static void mine(Object a, Backend from, String kind, boolean closed) {
        if (a == null) {
            throw new IllegalArgumentException(kind + " of backend "
                    + (from == null ? "null" : from.name()) + " passed to the cpu backend");
        }
        if (closed) {
            throw new IllegalStateException("cpu " + kind + " used after close");
        }
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
        CpuArray a = new CpuArray(this, n);
        allocations++;
        liveBytes += 8 * n;
        return a;
    }

    @Override
    public IArray allocInt(int n) {
        live();
        if (n < 0) {
            throw new IllegalArgumentException("negative array length " + n);
        }
        CpuIntArray a = new CpuIntArray(this, n);
        allocations++;
        liveBytes += 4L * n;
        return a;
    }

    void released(long bytes) {
        liveBytes -= bytes;
    }

    @Override
    public long allocations() {
        return allocations;
    }

    @Override
    public long liveBytes() {
        return liveBytes;
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
        if (c(y).viewReaches(yo + n)) {
            split.run(scale.set(v, null, 0, 0.0, b(y), i(yo)), i(n));
            return;
        }
        for (long done = 0; done < n; done += 1 << 26) { // past the view's reach: windows
            int m = (int) Math.min(1 << 26, n - done);
            split.run(scale.set(v, null, 0, 0.0, c(y).window(yo + done, m), 0), m);
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
        // β·y + a·x is a·x + β·y to the bit (addition commutes)
        split.run(scale.set(a, b(x), i(xo), bb, b(y), i(yo)), i(n));
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
        CpuArray ca = c(a);
        CpuArray cb = c(bm);
        CpuArray cc = c(cm);
        if (skinny.gemm(transA, transB, m, n, k, alpha, ca, ao, lda, cb, bo, ldb, beta, cc, co, ldc)
                || transposed.gemm(transA, transB, m, n, k, alpha, ca, ao, lda, cb, bo, ldb, beta, cc, co, ldc)) {
            return;
        }
        openblas.cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, m, n, k, alpha,
                ca.at(0, ao), lda, cb.at(1, bo), ldb, beta, cc.at(2, co), ldc);
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
    // The loops are CpuLoops' (tiled, bitwise the one-element-at-a-time reference); CpuSplit
    // runs the large ones on two threads while the BLAS does.

    @Override
    public void unary(UnaryFn f, int p, long n, DArray x, long xo, DArray y, long yo) {
        live();
        split.run(unary.set(f, p, b(x), i(xo), b(y), i(yo), null, 0, null, 0), i(n));
    }

    @Override
    public void unaryDerivatives(UnaryFn f, int p, long n, DArray x, long xo, DArray y, long yo,
                                 DArray d1, long d1o, DArray d2, long d2o) {
        live();
        split.run(unary.set(f, p, b(x), i(xo), b(y), i(yo), b(d1), i(d1o), b(d2), i(d2o)), i(n));
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
        // a tile of rows: bias then activation while it is in cache, with the arithmetic of
        // addRowVector and unary / unaryDerivatives (so bitwise the same result)
        unary.set(f, p, null, 0, b(y), i(yo), d1 == null ? null : b(d1), d1 == null ? 0 : i(d1o),
                d2 == null ? null : b(d2), d2 == null ? 0 : i(d2o));
        split.run(biasRows.set(cols, 1.0, b(bv), i(bo), b(z), i(zo), unary), rows);
    }

    @Override
    public void biasMulShared(int rows, int cols, int k, DArray bv, long bo, boolean bPerBlock, DArray z, long zo,
                              DArray d, long dOff, DArray y, long yo) {
        live();
        fusedShape(rows, cols, k);
        long size = (long) rows * cols;
        for (int j = 0; j < k; j++) {
            long bj = bo + (bPerBlock ? (long) j * cols : 0L);
            // then y ← 1·d∘z on the biased tile
            mul.set(1.0, b(d), i(dOff), b(z), i(zo + j * size), 0.0, b(y), i(yo + j * size));
            split.run(biasRows.set(cols, 1.0, b(bv), i(bj), b(z), i(zo + j * size), mul), rows);
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
            split.run(mul.set(alpha, xb, xi, yb, i(yo + (long) blk * n), beta, zb, i(zo + (long) blk * n)), m);
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
            split.run(mul2.set(ab, ai, xb, i(xo + (long) blk * n), bb, bi, yb, i(yo + (long) blk * n),
                    beta, zb, i(zo + (long) blk * n)), m);
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
            int xi = xb == null ? 0 : i(xo + (xPerBlock ? (long) blk * n : 0L));
            split.run(scale.set(a, xb, xi, beta, yb, i(yo + (long) blk * n)), m);
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
            long start = zo + blk * size;
            if (c(z).viewReaches(start + size)) {
                split.run(biasRows.set(cols, alpha, bb, bi, zb, i(start), null), rows);
                continue;
            }
            // past the view's reach (e.g. A + τI on an N×N Hessian with N > 16,383): windows of whole rows
            int chunk = Math.max(1, (1 << 26) / Math.max(1, cols));
            for (int r = 0; r < rows; r += chunk) {
                int m = Math.min(chunk, rows - r);
                DoubleBuffer w = c(z).window(start + (long) r * cols, Math.multiplyExact(m, cols));
                split.run(biasRows.set(cols, alpha, bb, bi, w, 0, null), m);
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
            split.run(columnSums.set(cols, alpha, xb, i(xo + blk * size), beta, yb, i(yo + (long) blk * cols)), rows);
        }
    }

    @Override
    public void sums(long n, int k, double alpha, DArray x, long xo, double beta, DArray y, long yo) {
        live();
        DoubleBuffer xb = b(x);
        DoubleBuffer yb = b(y);
        int m = i(n);
        for (int blk = 0; blk < k; blk++) {
            split.run(sum.set(xb, i(xo + (long) blk * n)), m);
            double acc = sum.sum;
            int yi = i(yo + blk);
            yb.put(yi, (beta == 0.0 ? 0.0 : beta * yb.get(yi)) + alpha * acc);
        }
    }

    // ---------------------------------------------------------------- softmax cross-entropy

    @Override
    public void softmaxCrossEntropy(int rows, int cols, DArray z, long zo, IArray labels,
                                    DArray p, long po, DArray g, long go, DArray loss, long lo) {
        live();
        int[] lab = ci(labels).data;
        if (lab.length < rows) {
            throw new IllegalArgumentException("softmaxCrossEntropy: " + lab.length
                    + " labels for " + rows + " rows");
        }
        for (int r = 0; r < rows; r++) {
            if (lab[r] < 0 || lab[r] >= cols) {
                throw new IllegalArgumentException("softmaxCrossEntropy: label " + lab[r]
                        + " of row " + r + " is outside [0, " + cols + ")");
            }
        }
        split.run(softmaxCe.set(rows, cols, b(z), i(zo), lab, b(p), i(po), b(g), i(go)), rows);
        b(loss).put(i(lo), softmaxCe.total() / rows);
    }

    @Override
    public void softmaxCeTvjp(int rows, int cols, int k, double alpha, DArray p, long po, DArray g, long go,
                              DArray dz, long dzo, DArray l, long lo, DArray ldot, long ldo, double beta,
                              DArray out, long oo) {
        live();
        long size = (long) rows * cols;
        double a2 = alpha * b(l).get(i(lo));
        for (int blk = 0; blk < k; blk++) {
            double a1 = alpha * b(ldot).get(i(ldo + blk));
            split.run(softmaxCeTvjp.set(cols, b(p), i(po), b(g), i(go), b(dz), i(dzo + blk * size), a1, a2, beta,
                    b(out), i(oo + blk * size)), rows);
        }
    }

    // ---------------------------------------------------------------- extension primitives

    @Override
    public void transpose(int rows, int cols, int k, double alpha, DArray x, long xo, double beta, DArray y, long yo) {
        live();
        DoubleBuffer xb = b(x);
        DoubleBuffer yb = b(y);
        long size = (long) rows * cols;
        for (int blk = 0; blk < k; blk++) {
            long xj = xo + blk * size;
            long yj = yo + blk * size;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int yi = i(yj + (long) c * rows + r);
                    double v = alpha * xb.get(i(xj + (long) r * cols + c));
                    yb.put(yi, beta == 0.0 ? v : beta * yb.get(yi) + v);
                }
            }
        }
    }

    @Override
    public void max(long n, DArray a, long ao, DArray bv, long bo, DArray y, long yo, DArray m, long mo) {
        live();
        DoubleBuffer ab = b(a);
        DoubleBuffer bb = b(bv);
        DoubleBuffer yb = b(y);
        DoubleBuffer mb = m == null ? null : b(m);
        int len = i(n);
        for (int j = 0; j < len; j++) {
            double u = ab.get(i(ao) + j);
            double w = bb.get(i(bo) + j);
            boolean first = u >= w || u != u;
            yb.put(i(yo) + j, first ? u : w);
            if (mb != null) {
                mb.put(i(mo) + j, first ? 1.0 : 0.0);
            }
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
        // read through the pointer (long indices): H may lie past the Java view's 2²⁸ elements
        DoublePointer d = c(a).at(0, ao);
        double[] diag = new double[n];
        double[] sub = new double[Math.max(0, n - 1)];
        int[] ipiv = new int[n];
        for (int k = 0; k < n; k++) {
            diag[k] = d.get(k + (long) k * n);                 // D(k,k), column-major
            if (k + 1 < n) {
                sub[k] = d.get((k + 1) + (long) k * n);        // D(k+1,k), lower triangle
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
            split.close();
            skinny.close();
            transposed.close();
        }
    }
}
