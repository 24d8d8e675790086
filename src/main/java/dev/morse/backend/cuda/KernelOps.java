package dev.morse.backend.cuda;

import dev.morse.backend.UnaryFn;
import dev.morse.backend.cuda.KernelRuntime.Workspace;
import dev.morse.backend.cuda.LaunchConfig.Grid;

/**
 * The Backend operations that run as morse's own kernels: argument validation (a GPU
 * does not bounds-check; an out-of-range operand is rejected here with an exception, not
 * written past the end of an allocation), launch configuration and argument packing, over
 * a {@link KernelRuntime}. The CUDA backend runs these on the device; the harness test runs
 * exactly this code against the host-compiled kernels and compares with the CPU backend.
 * Semantics are those of {@link dev.morse.backend.Backend}.
 */
public final class KernelOps {
    private final KernelRuntime rt;
    private final LaunchConfig lc;
    private final KernelArgs args = new KernelArgs();

    public KernelOps(KernelRuntime rt, LaunchConfig lc) {
        this.rt = rt;
        this.lc = lc;
    }

    public LaunchConfig launchConfig() {
        return lc;
    }

    // ---------------------------------------------------------------- checks

    /** Throws unless [off, off + len) lies inside b. */
    static void range(DeviceBuffer b, long off, long len, String what) {
        if (b == null) {
            throw new NullPointerException(what + " is null");
        }
        if (off < 0 || len < 0 || off > b.elements() - len) {
            throw new IndexOutOfBoundsException(what + ": elements [" + off + ", " + (off + len)
                    + ") outside an array of " + b.elements());
        }
    }

    static void nonNegative(long v, String what) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " = " + v + " < 0");
        }
    }

    /**
     * Checks n and the operands x and y of a call over n elements (the names are the messages'
     * constants, so a call allocates nothing); true when there is work (n > 0).
     */
    static boolean flat(long n, DeviceBuffer x, long xo, String xName, DeviceBuffer y, long yo, String yName) {
        nonNegative(n, "n");
        range(x, xo, n, xName);
        range(y, yo, n, yName);
        return n > 0;
    }

    /** Checks a rows×cols shape in k blocks; the elements of one block, 0 when there is no work (k = 0 too). */
    private static long blockSize(int rows, int cols, int k) {
        nonNegative(rows, "rows");
        nonNegative(cols, "cols");
        nonNegative(k, "k");
        return k == 0 ? 0 : (long) rows * cols;
    }

    private static long times(long n, long k) {
        return Math.multiplyExact(n, k);
    }

    private void launch(Kernel k, Grid g) {
        if (g.empty()) {
            throw new IllegalStateException("empty grid for " + k.symbol());
        }
        args.check(k);
        rt.launch(k, g, args);
    }

    // ---------------------------------------------------------------- elementwise

    /** y ← v. */
    public void fill(long n, double v, DeviceBuffer y, long yo) {
        nonNegative(n, "n");
        range(y, yo, n, "fill y");
        if (n == 0) {
            return;
        }
        args.reset().i64(n).f64(v).ptr(y, yo);
        launch(Kernel.FILL, lc.flat(n));
    }

    /** y ← a·x + b·y. */
    public void axpby(long n, double a, DeviceBuffer x, long xo, double b, DeviceBuffer y, long yo) {
        if (!flat(n, x, xo, "axpby x", y, yo, "axpby y")) {
            return;
        }
        args.reset().i64(n).f64(a).ptr(x, xo).f64(b).ptr(y, yo);
        launch(Kernel.AXPBY, lc.flat(n));
    }

    /** y ← f(x). */
    public void unary(UnaryFn f, int p, long n, DeviceBuffer x, long xo, DeviceBuffer y, long yo) {
        if (!flat(n, x, xo, "unary x", y, yo, "unary y")) {
            return;
        }
        args.reset().i32(f.code()).i32(p).i64(n).ptr(x, xo).ptr(y, yo);
        launch(Kernel.UNARY, lc.flat(n));
    }

    /** y ← f(x), d1 ← f'(x), d2 ← f''(x). */
    public void unaryDerivatives(UnaryFn f, int p, long n, DeviceBuffer x, long xo,
                                 DeviceBuffer y, long yo, DeviceBuffer d1, long d1o,
                                 DeviceBuffer d2, long d2o) {
        boolean work = flat(n, x, xo, "unaryDerivatives x", y, yo, "unaryDerivatives y");
        if (!flat(n, d1, d1o, "unaryDerivatives d1", d2, d2o, "unaryDerivatives d2") || !work) {
            return;
        }
        args.reset().i32(f.code()).i32(p).i64(n).ptr(x, xo).ptr(y, yo).ptr(d1, d1o).ptr(d2, d2o);
        launch(Kernel.UNARY_DERIVATIVES, lc.flat(n));
    }

    /** z_j ← β·z_j + α·x∘y_j, x shared. */
    public void mulShared(long n, int k, double alpha, DeviceBuffer x, long xo, DeviceBuffer y,
                          long yo, double beta, DeviceBuffer z, long zo) {
        nonNegative(n, "n");
        nonNegative(k, "k");
        range(x, xo, n, "mulShared x");
        range(y, yo, times(n, k), "mulShared y");
        range(z, zo, times(n, k), "mulShared z");
        if (n == 0 || k == 0) {
            return;
        }
        args.reset().i64(n).i32(k).f64(alpha).ptr(x, xo).ptr(y, yo).f64(beta).ptr(z, zo);
        launch(Kernel.MUL_SHARED, lc.blocks(n, k));
    }

    /** z_j ← β·z_j + a∘x_j + b∘y_j, a and b shared. */
    public void mul2Shared(long n, int k, DeviceBuffer a, long ao, DeviceBuffer x, long xo,
                           DeviceBuffer b, long bo, DeviceBuffer y, long yo, double beta,
                           DeviceBuffer z, long zo) {
        nonNegative(n, "n");
        nonNegative(k, "k");
        range(a, ao, n, "mul2Shared a");
        range(b, bo, n, "mul2Shared b");
        range(x, xo, times(n, k), "mul2Shared x");
        range(y, yo, times(n, k), "mul2Shared y");
        range(z, zo, times(n, k), "mul2Shared z");
        if (n == 0 || k == 0) {
            return;
        }
        args.reset().i64(n).i32(k).ptr(a, ao).ptr(x, xo).ptr(b, bo).ptr(y, yo).f64(beta).ptr(z, zo);
        launch(Kernel.MUL2_SHARED, lc.blocks(n, k));
    }

    /** y_j ← β·y_j + α·s_j·x_j; s per block or shared, x per block, shared or absent (null). */
    public void scaleByScalar(long n, int k, double alpha, DeviceBuffer s, long so, boolean sPerBlock,
                              DeviceBuffer x, long xo, boolean xPerBlock, double beta,
                              DeviceBuffer y, long yo) {
        nonNegative(n, "n");
        nonNegative(k, "k");
        if (n == 0 || k == 0) {
            return;
        }
        range(s, so, sPerBlock ? k : 1, "scaleByScalar s");
        if (x != null) {
            range(x, xo, xPerBlock ? times(n, k) : n, "scaleByScalar x");
        }
        range(y, yo, times(n, k), "scaleByScalar y");
        int xMode = x == null ? 0 : xPerBlock ? 2 : 1;
        args.reset().i64(n).i32(k).f64(alpha).ptr(s, so).i32(sPerBlock ? 1 : 0)
                .ptr(x, x == null ? 0 : xo).i32(xMode).f64(beta).ptr(y, yo);
        launch(Kernel.SCALE_BY_SCALAR, lc.blocks(n, k));
    }

    /** z_j[r,c] ← z_j[r,c] + α·b_j[c]. */
    public void addRowVector(int rows, int cols, int k, double alpha, DeviceBuffer b, long bo,
                             boolean bPerBlock, DeviceBuffer z, long zo) {
        long size = blockSize(rows, cols, k);
        if (size == 0) {
            return;
        }
        range(b, bo, bPerBlock ? times(cols, k) : cols, "addRowVector b");
        range(z, zo, times(size, k), "addRowVector z");
        args.reset().i32(rows).i32(cols).i32(k).f64(alpha).ptr(b, bo).i32(bPerBlock ? 1 : 0).ptr(z, zo);
        launch(Kernel.ADD_ROW_VECTOR, lc.blocks(size, k));
    }

    /** z[r,c] ← z[r,c] + b[c], y ← f(z), and if d1 != null d1 ← f'(z), d2 ← f''(z). */
    public void biasUnary(UnaryFn f, int p, int rows, int cols, DeviceBuffer b, long bo, DeviceBuffer z, long zo,
                          DeviceBuffer y, long yo, DeviceBuffer d1, long d1o, DeviceBuffer d2, long d2o) {
        nonNegative(rows, "rows");
        nonNegative(cols, "cols");
        if ((d1 == null) != (d2 == null)) {
            throw new IllegalArgumentException("biasUnary: d1 and d2 must both be given or both be null");
        }
        long size = (long) rows * cols;
        if (size == 0) {
            return;
        }
        range(b, bo, cols, "biasUnary b");
        range(z, zo, size, "biasUnary z");
        range(y, yo, size, "biasUnary y");
        if (d1 != null) {
            range(d1, d1o, size, "biasUnary d1");
            range(d2, d2o, size, "biasUnary d2");
        }
        args.reset().i32(f.code()).i32(p).i32(rows).i32(cols).ptr(b, bo).ptr(z, zo).ptr(y, yo)
                .ptr(d1, d1 == null ? 0 : d1o).ptr(d2, d2 == null ? 0 : d2o);
        launch(Kernel.BIAS_UNARY, lc.flat(size));
    }

    /** z_j[r,c] ← z_j[r,c] + b_j[c], y_j ← d∘z_j; b per block or shared, d shared. */
    public void biasMulShared(int rows, int cols, int k, DeviceBuffer b, long bo, boolean bPerBlock,
                              DeviceBuffer z, long zo, DeviceBuffer d, long dOff, DeviceBuffer y, long yo) {
        long size = blockSize(rows, cols, k);
        if (size == 0) {
            return;
        }
        range(b, bo, bPerBlock ? times(cols, k) : cols, "biasMulShared b");
        range(z, zo, times(size, k), "biasMulShared z");
        range(d, dOff, size, "biasMulShared d");
        range(y, yo, times(size, k), "biasMulShared y");
        args.reset().i32(rows).i32(cols).i32(k).ptr(b, bo).i32(bPerBlock ? 1 : 0).ptr(z, zo).ptr(d, dOff).ptr(y, yo);
        launch(Kernel.BIAS_MUL_SHARED, lc.blocks(size, k));
    }

    // ---------------------------------------------------------------- reductions

    /** y_j[c] ← β·y_j[c] + α·Σ_r x_j[r,c]. */
    public void columnSums(int rows, int cols, int k, double alpha, DeviceBuffer x, long xo,
                           double beta, DeviceBuffer y, long yo) {
        nonNegative(rows, "rows");
        nonNegative(cols, "cols");
        nonNegative(k, "k");
        if (cols == 0 || k == 0) {
            return;
        }
        range(x, xo, times((long) rows * cols, k), "columnSums x");
        range(y, yo, times(cols, k), "columnSums y");
        int chunkRows = lc.columnChunkRows(rows);
        int chunks = lc.columnChunks(rows);
        long ws = lc.columnSumsWorkspace(rows, cols, k);
        DeviceBuffer partial = ws == 0 ? null : rt.workspace(Workspace.PARTIALS, ws);
        args.reset().i32(rows).i32(cols).i32(k).i32(chunkRows).i32(chunks).f64(alpha).ptr(x, xo)
                .f64(beta).ptr(y, yo).ptr(partial, 0);
        launch(Kernel.COLUMN_SUMS, lc.columnSums(rows, cols, k));
        if (chunks > 1) {
            args.reset().i32(cols).i32(k).i32(chunks).f64(alpha).ptr(partial, 0).f64(beta).ptr(y, yo);
            launch(Kernel.COLUMN_SUMS_FINAL, lc.columnSumsFinal(rows, cols, k));
        }
    }

    /** y_j ← β·y_j + α·Σ_i x_j[i]. */
    public void sums(long n, int k, double alpha, DeviceBuffer x, long xo, double beta,
                     DeviceBuffer y, long yo) {
        nonNegative(n, "n");
        nonNegative(k, "k");
        if (k == 0) {
            return;
        }
        range(x, xo, times(n, k), "sums x");
        range(y, yo, k, "sums y");
        int parts = lc.sumParts(n);
        long ws = lc.sumsWorkspace(n, k);
        DeviceBuffer partial = ws == 0 ? null : rt.workspace(Workspace.PARTIALS, ws);
        args.reset().i64(n).i32(k).i32(parts).f64(alpha).ptr(x, xo).f64(beta).ptr(y, yo).ptr(partial, 0);
        launch(Kernel.SUMS, lc.sums(n, k));
        if (parts > 1) {
            args.reset().i32(k).i32(parts).f64(alpha).ptr(partial, 0).f64(beta).ptr(y, yo);
            launch(Kernel.SUMS_FINAL, lc.sumsFinal(n, k));
        }
    }

    // ---------------------------------------------------------------- softmax

    /** P ← softmax(Z), G ← P − onehot(labels), loss[lo] ← mean row loss; bad labels throw. */
    public void softmaxCrossEntropy(int rows, int cols, DeviceBuffer z, long zo, DeviceIntBuffer labels,
                                    DeviceBuffer p, long po, DeviceBuffer g, long go,
                                    DeviceBuffer loss, long lo) {
        nonNegative(rows, "rows");
        nonNegative(cols, "cols");
        labels.shadow().checkLabels(rows, cols, "softmaxCrossEntropy");
        long size = (long) rows * cols;
        range(z, zo, size, "softmaxCrossEntropy z");
        range(p, po, size, "softmaxCrossEntropy p");
        range(g, go, size, "softmaxCrossEntropy g");
        range(loss, lo, 1, "softmaxCrossEntropy loss");
        int parts = lc.rowParts(rows);
        long ws = lc.softmaxXentWorkspace(rows);
        DeviceBuffer partial = ws == 0 ? null : rt.workspace(Workspace.PARTIALS, ws);
        args.reset().i32(rows).i32(cols).i32(parts).ptr(z, zo).iptr(labels, 0).ptr(p, po).ptr(g, go)
                .ptr(loss, lo).ptr(partial, 0);
        launch(Kernel.SOFTMAX_XENT, lc.softmaxXent(rows));
        if (parts > 1) {
            args.reset().i32(rows).i32(parts).ptr(partial, 0).ptr(loss, lo);
            launch(Kernel.SOFTMAX_XENT_LOSS, lc.softmaxXentLoss(rows));
        }
    }

    /**
     * out_j ← (β·out_j + α·ℓ̇_j·G) + α·ℓ·(P∘(dz_j − rowsum(P∘dz_j)·1ᵀ)), P and G shared, ℓ one
     * device scalar, ℓ̇ k of them: the softmax cross-entropy's tangent-of-VJP in one pass.
     */
    public void softmaxCeTvjp(int rows, int cols, int k, double alpha, DeviceBuffer p, long po, DeviceBuffer g,
                              long go, DeviceBuffer dz, long dzo, DeviceBuffer l, long lo, DeviceBuffer ldot, long ldo,
                              double beta, DeviceBuffer out, long oo) {
        long size = blockSize(rows, cols, k);
        if (size == 0) {
            return;
        }
        range(p, po, size, "softmaxCeTvjp p");
        range(g, go, size, "softmaxCeTvjp g");
        range(dz, dzo, times(size, k), "softmaxCeTvjp dz");
        range(l, lo, 1, "softmaxCeTvjp l");
        range(ldot, ldo, k, "softmaxCeTvjp ldot");
        range(out, oo, times(size, k), "softmaxCeTvjp out");
        args.reset().i32(rows).i32(cols).i32(k).f64(alpha).ptr(p, po).ptr(g, go).ptr(dz, dzo).ptr(l, lo)
                .ptr(ldot, ldo).f64(beta).ptr(out, oo);
        launch(Kernel.SOFTMAX_CE_TVJP, lc.blocks(rows, k));
    }

    // ---------------------------------------------------------------- extension primitives

    /** y ← max(a, b); m ← [a ≥ b or a NaN] when given. */
    public void max(long n, DeviceBuffer a, long ao, DeviceBuffer b, long bo, DeviceBuffer y, long yo,
                    DeviceBuffer m, long mo) {
        boolean work = flat(n, a, ao, "max a", b, bo, "max b");
        range(y, yo, n, "max y");
        if (m != null) {
            range(m, mo, n, "max m");
        }
        if (!work) {
            return;
        }
        args.reset().i64(n).ptr(a, ao).ptr(b, bo).ptr(y, yo).ptr(m, m == null ? 0 : mo);
        launch(Kernel.MAX, lc.flat(n));
    }
}
