package dev.morse.backend.cuda;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.IArray;
import dev.morse.backend.Inertia;
import dev.morse.backend.LdlInertia;
import dev.morse.backend.LinalgStatus;
import dev.morse.backend.UnaryFn;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasFillMode;
import jcuda.jcusolver.JCusolverDn;
import jcuda.jcusolver.cusolverEigMode;

/**
 * The CUDA backend (JCuda 11.7): float64 arrays resident in device memory, cuBLAS for
 * copy / scal / axpy / dot / nrm2 / gemm / gemv, cuSOLVER for syevd and sytrf, and morse's
 * own kernels (kernels/*.cu through {@link KernelOps}) for everything else.
 *
 * <p><b>Row-major on a column-major library.</b> A row-major m×n matrix with leading
 * dimension ld is, read column-major, its transpose (n×m, same ld). So row-major
 * C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: cublasDgemm is called with the
 * operands swapped, m and n swapped, and each operand's own transpose flag; row-major
 * y = op(A)·x is cublasDgemv on the column-major Aᵀ with the flag inverted. Symmetric
 * matrices (syevd, sytrf) are the same either way.
 *
 * <p><b>Pointer mode.</b> HOST: α and β come from Java, and dot / nrm2 return to the host as
 * the Backend contract says (such a call waits for its result: it is a synchronization
 * point, which the Krylov solvers' scalar recurrences need anyway). Scalars that feed the
 * next kernel never leave the device: they are written by morse's reductions.
 *
 * <p>Transfers ({@link #upload}, {@link #download}) first wait for the stream, so they see
 * (and do not disturb) all queued work. Allocation counting is the CPU backend's:
 * {@link #allocations()} counts alloc and allocInt calls, {@link #liveBytes()} the bytes
 * of live arrays (8 per float64, 4 per int32); internal workspaces are not counted.
 */
public final class CudaBackend implements Backend {
    private static final long INT_CHUNK = Integer.MAX_VALUE;

    private final CudaContext ctx;
    private final KernelOps ops;
    private final Set<DeviceArray> liveArrays = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<GraphReplay> replays = Collections.newSetFromMap(new IdentityHashMap<>());
    private long allocations;
    private long liveBytes;
    private boolean closed;

    // host scalars for cuBLAS in HOST pointer mode (read during the call)
    private final double[] alpha = new double[1];
    private final double[] beta = new double[1];
    private final double[] result = new double[1];
    private final Pointer alphaP = Pointer.to(alpha);
    private final Pointer betaP = Pointer.to(beta);
    private final Pointer resultP = Pointer.to(result);
    private final int[] info = new int[1];
    private final int[] lwork = new int[1];

    /** The first CUDA device. */
    public CudaBackend() {
        this(0);
    }

    /** CUDA device {@code ordinal}; throws CudaException (with the reason) if it cannot be used. */
    public CudaBackend(int ordinal) {
        this.ctx = CudaContext.open(ordinal);
        this.ops = new KernelOps(ctx, LaunchConfig.DEFAULT);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        CudaProbe.Status st = CudaProbe.status();
        return String.format(Locale.ROOT, "%s, CUDA driver %s, %s", st.devices().get(ctx.ordinal),
                CudaProbe.driverString(st.driverVersion()), ctx.kernelDescription());
    }

    /** The context (stream, handles, modules) this backend owns. */
    public CudaContext context() {
        return ctx;
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("cuda backend used after close");
        }
        ctx.live();
    }

    private CudaArray c(DArray a) {
        return mine(a instanceof CudaArray ca ? ca : null, a == null ? null : a.backend(), "array");
    }

    private CudaIntArray ci(IArray a) {
        return mine(a instanceof CudaIntArray ca ? ca : null, a == null ? null : a.backend(), "int array");
    }

    /** {@code a} if it is a live array of this backend (null: of another kind or backend, {@code from}). */
    private <A extends DeviceArray> A mine(A a, Backend from, String kind) {
        if (a == null || a.backend() != this) {
            throw new IllegalArgumentException(kind + " of backend "
                    + (from == null ? "null" : from.name()) + " passed to this cuda backend");
        }
        a.ptr(); // throws "cuda (int) array used after close"
        return a;
    }

    private static CUdeviceptr at(CudaArray a, long off) {
        return CudaContext.address(a, off);
    }

    // ---------------------------------------------------------------- memory

    /** A clear error for an allocation the device cannot hold, or e itself if it is another error. */
    static RuntimeException outOfMemory(CudaException e, String what, long n, CudaContext ctx) {
        if (e.getMessage() == null || !e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY")) {
            return e;
        }
        long[] mem = ctx.memoryInfo();
        DeviceMemoryEstimate est = new DeviceMemoryEstimate().doubles(what, n);
        return new InsufficientDeviceMemoryException(String.format(Locale.ROOT,
                "not enough GPU memory on %s: cuMemAlloc of %s (%s of %d float64) failed, %s free of %s;"
                        + " use --backend cpu or a smaller batch",
                ctx, DeviceMemoryEstimate.mib(est.bytes()), what, n,
                DeviceMemoryEstimate.mib(mem[0]), DeviceMemoryEstimate.mib(mem[1])));
    }

    @Override
    public void ensureFits(long bytes, String what) {
        live();
        long[] mem = ctx.memoryInfo();
        new DeviceMemoryEstimate().doubles(what, (bytes + 7) / 8).requireFits(mem[0], mem[1], ctx.toString());
    }

    /**
     * Stream capture into a CUDA graph (the launch-bound small networks replay a whole HVP
     * with one cuGraphLaunch). Capture is relaxed-mode on the context's stream; if anything in
     * the work is not capturable (a synchronization, a host transfer, a host-mode dot), the
     * capture is invalidated, nothing has run, and null tells the caller to run the work
     * directly. cuBLAS in HOST pointer mode captures α and β by value, which is what a replay
     * needs (they are constants of the recorded work). The kernel workspaces are pinned first:
     * the graph holds their addresses, so they must outlive it ({@link WorkspacePool}).
     * Replays still open when the backend closes are destroyed with it.
     */
    @Override
    public Replay record(Runnable work) {
        live();
        if (!Boolean.parseBoolean(System.getProperty("morse.cuda.graphs", "true"))) {
            return null;
        }
        ctx.pinWorkspaces();
        jcuda.driver.CUstream s = ctx.stream();
        try {
            JCudaDriver.cuStreamBeginCapture(s, jcuda.driver.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED);
        } catch (CudaException e) {
            return null;
        }
        jcuda.driver.CUgraph graph = new jcuda.driver.CUgraph();
        RuntimeException failure = null;
        boolean captured = true;
        try {
            work.run();
        } catch (CudaException e) {
            captured = false; // not capturable: the caller runs the work directly
        } catch (RuntimeException e) {
            failure = e;      // a bug in the work itself: reported after the capture is ended
        }
        try {
            JCudaDriver.cuStreamEndCapture(s, graph);
        } catch (CudaException e) {
            captured = false;
        }
        if (!captured || failure != null) {
            destroyQuietly(graph);
            if (failure != null) {
                throw failure;
            }
            return null;
        }
        jcuda.driver.CUgraphExec exec = new jcuda.driver.CUgraphExec();
        try {
            JCudaDriver.cuGraphInstantiate(exec, graph, null, null, 0);
        } catch (CudaException e) {
            destroyQuietly(graph);
            return null;
        }
        GraphReplay r = new GraphReplay(graph, exec);
        replays.add(r);
        return r;
    }

    private static void destroyQuietly(jcuda.driver.CUgraph graph) {
        try {
            JCudaDriver.cuGraphDestroy(graph);
        } catch (CudaException ignored) {
            // an invalidated capture may leave no graph to destroy
        }
    }

    /** A recorded graph; owned by this backend until closed. */
    private final class GraphReplay implements Replay {
        private final jcuda.driver.CUgraph graph;
        private final jcuda.driver.CUgraphExec exec;
        private boolean closed;

        GraphReplay(jcuda.driver.CUgraph graph, jcuda.driver.CUgraphExec exec) {
            this.graph = graph;
            this.exec = exec;
        }

        @Override
        public void launch() {
            if (closed) {
                throw new IllegalStateException("replay used after close");
            }
            live();
            JCudaDriver.cuGraphLaunch(exec, ctx.stream());
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (CudaBackend.this.closed) {
                return; // destroyed with the backend
            }
            replays.remove(this);
            ctx.live();
            destroy();
        }

        void destroy() {
            try {
                JCudaDriver.cuGraphExecDestroy(exec);
            } finally {
                JCudaDriver.cuGraphDestroy(graph);
            }
        }
    }

    @Override
    public long availableBytes() {
        live();
        long[] mem = ctx.memoryInfo();
        return mem[0] - DeviceMemoryEstimate.reserve(mem[1]);
    }

    /** Throws {@link InsufficientDeviceMemoryException} unless est fits the device's free memory now. */
    public void ensureFits(DeviceMemoryEstimate est) {
        live();
        long[] mem = ctx.memoryInfo();
        est.requireFits(mem[0], mem[1], ctx.toString());
    }

    private CUdeviceptr allocate(long bytes, String what, long n) {
        CUdeviceptr p = new CUdeviceptr();
        try {
            JCudaDriver.cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            throw outOfMemory(e, what, n, ctx);
        }
        try {
            // zero-filled, ordered before any later use on the stream
            JCudaDriver.cuMemsetD8Async(p, (byte) 0, bytes, ctx.stream());
        } catch (RuntimeException e) {
            JCudaDriver.cuMemFree(p); // not yet owned by an array: freed here or never
            throw e;
        }
        return p;
    }

    @Override
    public DArray alloc(long n) {
        live();
        return track(new CudaArray(this, n, allocate(DeviceMemoryEstimate.allocationBytes(length(n), 8), "array", n)), 8 * n);
    }

    @Override
    public IArray allocInt(int n) {
        live();
        return track(new CudaIntArray(this, n, allocate(DeviceMemoryEstimate.allocationBytes(length(n), 4), "int array", n)),
                4L * n);
    }

    private static long length(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative array length " + n);
        }
        return n;
    }

    private <A extends DeviceArray> A track(A a, long bytes) {
        liveArrays.add(a);
        allocations++;
        liveBytes += bytes;
        return a;
    }

    /** Called by an array's close: frees its memory (the backend's own close frees the rest). */
    void released(DeviceArray array, long bytes, CUdeviceptr p) {
        if (closed || !liveArrays.remove(array)) {
            return;
        }
        liveBytes -= bytes;
        ctx.live();
        JCudaDriver.cuStreamSynchronize(ctx.stream()); // queued kernels may still use it
        DeviceArray.free(p);
    }

    @Override
    public long allocations() {
        return allocations;
    }

    @Override
    public long liveBytes() {
        return liveBytes;
    }

    private static void hostRange(int length, int off, int n, String what) {
        if (off < 0 || n < 0 || off > length - n) {
            throw new IndexOutOfBoundsException(what + ": host elements [" + off + ", " + ((long) off + n)
                    + ") outside an array of " + length);
        }
    }

    /**
     * Checks a host↔device copy's ranges; true when there is something to copy, the stream then
     * synchronized (queued kernels may still use the device range).
     */
    private boolean transfer(String what, int hostLength, int hostOff, DeviceBuffer d, long devOff, int n) {
        hostRange(hostLength, hostOff, n, what);
        KernelOps.range(d, devOff, n, what);
        if (n == 0) {
            return false;
        }
        JCudaDriver.cuStreamSynchronize(ctx.stream());
        return true;
    }

    @Override
    public void upload(double[] src, int srcOff, DArray dst, long dstOff, int n) {
        live();
        CudaArray d = c(dst);
        if (transfer("upload", src.length, srcOff, d, dstOff, n)) {
            JCudaDriver.cuMemcpyHtoD(at(d, dstOff), Pointer.to(src).withByteOffset(8L * srcOff), 8L * n);
        }
    }

    @Override
    public void download(DArray src, long srcOff, double[] dst, int dstOff, int n) {
        live();
        CudaArray s = c(src);
        if (transfer("download", dst.length, dstOff, s, srcOff, n)) {
            JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset(8L * dstOff), at(s, srcOff), 8L * n);
        }
    }

    @Override
    public void uploadInt(int[] src, int srcOff, IArray dst, int dstOff, int n) {
        live();
        CudaIntArray d = ci(dst);
        if (transfer("uploadInt", src.length, srcOff, d, dstOff, n)) {
            JCudaDriver.cuMemcpyHtoD(CudaContext.address(d, dstOff), Pointer.to(src).withByteOffset(4L * srcOff), 4L * n);
            d.shadow().write(src, srcOff, dstOff, n);
        }
    }

    @Override
    public void downloadInt(IArray src, int srcOff, int[] dst, int dstOff, int n) {
        live();
        CudaIntArray s = ci(src);
        if (transfer("downloadInt", dst.length, dstOff, s, srcOff, n)) {
            JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * dstOff), CudaContext.address(s, srcOff), 4L * n);
        }
    }

    @Override
    public void synchronize() {
        live();
        ctx.synchronize();
    }

    // ---------------------------------------------------------------- BLAS-1

    @Override
    public void copy(long n, DArray x, long xo, DArray y, long yo) {
        live();
        CudaArray xa = c(x);
        CudaArray ya = c(y);
        if (!KernelOps.flat(n, xa, xo, "copy x", ya, yo, "copy y") || (xa == ya && xo == yo)) {
            return;
        }
        if (xa == ya && Math.abs(xo - yo) < n) {
            throw new IllegalArgumentException("copy between overlapping ranges of one array");
        }
        JCudaDriver.cuMemcpyDtoDAsync(at(ya, yo), at(xa, xo), 8L * n, ctx.stream());
    }

    @Override
    public void fill(long n, double v, DArray y, long yo) {
        live();
        CudaArray ya = c(y);
        if (Double.doubleToRawLongBits(v) == 0L && n > 0) {
            KernelOps.range(ya, yo, n, "fill y");
            // +0.0 is all zero bits: a memset, no kernel
            JCudaDriver.cuMemsetD32Async(at(ya, yo), 0, 2 * n, ctx.stream());
            return;
        }
        ops.fill(n, v, ya, yo);
    }

    @Override
    public void scal(long n, double a, DArray x, long xo) {
        live();
        CudaArray xa = c(x);
        KernelOps.nonNegative(n, "n");
        KernelOps.range(xa, xo, n, "scal x");
        alpha[0] = a;
        for (long s = 0; s < n; s += INT_CHUNK) {
            int len = (int) Math.min(INT_CHUNK, n - s);
            JCublas2.cublasDscal(ctx.cublas(), len, alphaP, at(xa, xo + s), 1);
        }
    }

    @Override
    public void axpy(long n, double a, DArray x, long xo, DArray y, long yo) {
        live();
        CudaArray xa = c(x);
        CudaArray ya = c(y);
        KernelOps.flat(n, xa, xo, "axpy x", ya, yo, "axpy y");
        alpha[0] = a;
        for (long s = 0; s < n; s += INT_CHUNK) {
            int len = (int) Math.min(INT_CHUNK, n - s);
            JCublas2.cublasDaxpy(ctx.cublas(), len, alphaP, at(xa, xo + s), 1, at(ya, yo + s), 1);
        }
    }

    @Override
    public void axpby(long n, double a, DArray x, long xo, double b, DArray y, long yo) {
        live();
        ops.axpby(n, a, c(x), xo, b, c(y), yo);
    }

    @Override
    public double dot(long n, DArray x, long xo, DArray y, long yo) {
        live();
        CudaArray xa = c(x);
        CudaArray ya = c(y);
        KernelOps.flat(n, xa, xo, "dot x", ya, yo, "dot y");
        double sum = 0.0;
        for (long s = 0; s < n; s += INT_CHUNK) {
            int len = (int) Math.min(INT_CHUNK, n - s);
            // HOST pointer mode: returns when result[0] holds the value
            JCublas2.cublasDdot(ctx.cublas(), len, at(xa, xo + s), 1, at(ya, yo + s), 1, resultP);
            sum += result[0];
        }
        return sum;
    }

    @Override
    public double nrm2(long n, DArray x, long xo) {
        live();
        CudaArray xa = c(x);
        KernelOps.nonNegative(n, "n");
        KernelOps.range(xa, xo, n, "nrm2 x");
        double norm = 0.0;
        for (long s = 0; s < n; s += INT_CHUNK) {
            int len = (int) Math.min(INT_CHUNK, n - s);
            JCublas2.cublasDnrm2(ctx.cublas(), len, at(xa, xo + s), 1, resultP);
            norm = Math.hypot(norm, result[0]); // chunks combined without overflow
        }
        return norm;
    }

    // ---------------------------------------------------------------- BLAS-2/3

    /** Checks a row-major rows×cols operand with leading dimension ld at offset off. */
    static void matrix(DeviceBuffer b, long off, int rows, int cols, int ld, String what) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(what + ": negative size " + rows + "x" + cols);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(what + ": leading dimension " + ld + " < max(1, " + cols + ")");
        }
        if (rows > 0 && cols > 0) {
            KernelOps.range(b, off, (long) (rows - 1) * ld + cols, what);
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alphaV,
                     DArray a, long ao, int lda, DArray b, long bo, int ldb,
                     double betaV, DArray cm, long co, int ldc) {
        live();
        CudaArray ca = c(cm);
        if (m == 0 || n == 0) {
            return;
        }
        matrix(ca, co, m, n, ldc, "gemm C");
        if (k == 0) {
            // C ← β·C (β = 0 overwrites), as the reference BLAS; cuBLAS rejects lda = 0 here
            for (int r = 0; r < m; r++) {
                if (betaV == 0.0) {
                    fill(n, 0.0, cm, co + (long) r * ldc);
                } else {
                    scal(n, betaV, cm, co + (long) r * ldc);
                }
            }
            return;
        }
        CudaArray aa = c(a);
        CudaArray ba = c(b);
        matrix(aa, ao, transA ? k : m, transA ? m : k, lda, "gemm A");
        matrix(ba, bo, transB ? n : k, transB ? k : n, ldb, "gemm B");
        alpha[0] = alphaV;
        beta[0] = betaV;
        // row-major C = op(A)·op(B)  <=>  column-major Cᵀ = op(B)ᵀ·op(A)ᵀ (class comment)
        JCublas2.cublasDgemm(ctx.cublas(), transB ? CUBLAS_OP_T : CUBLAS_OP_N, transA ? CUBLAS_OP_T : CUBLAS_OP_N,
                n, m, k, alphaP, at(ba, bo), ldb, at(aa, ao), lda, betaP, at(ca, co), ldc);
    }

    @Override
    public void gemv(boolean transA, int m, int n, double alphaV, DArray a, long ao, int lda,
                     DArray x, long xo, double betaV, DArray y, long yo) {
        live();
        CudaArray ya = c(y);
        int ylen = transA ? n : m;
        int xlen = transA ? m : n;
        KernelOps.range(ya, yo, ylen, "gemv y");
        if (ylen == 0) {
            return;
        }
        if (xlen == 0) {
            if (betaV == 0.0) {
                fill(ylen, 0.0, y, yo);
            } else {
                scal(ylen, betaV, y, yo);
            }
            return;
        }
        CudaArray aa = c(a);
        CudaArray xa = c(x);
        matrix(aa, ao, m, n, lda, "gemv A");
        KernelOps.range(xa, xo, xlen, "gemv x");
        alpha[0] = alphaV;
        beta[0] = betaV;
        // the row-major m×n A is the column-major n×m Aᵀ: op flips
        JCublas2.cublasDgemv(ctx.cublas(), transA ? CUBLAS_OP_N : CUBLAS_OP_T, n, m, alphaP, at(aa, ao), lda,
                at(xa, xo), 1, betaP, at(ya, yo), 1);
    }

    // ---------------------------------------------------------------- fused elementwise (kernels)

    @Override
    public void unary(UnaryFn f, int p, long n, DArray x, long xo, DArray y, long yo) {
        live();
        ops.unary(f, p, n, c(x), xo, c(y), yo);
    }

    @Override
    public void unaryDerivatives(UnaryFn f, int p, long n, DArray x, long xo, DArray y, long yo,
                                 DArray d1, long d1o, DArray d2, long d2o) {
        live();
        ops.unaryDerivatives(f, p, n, c(x), xo, c(y), yo, c(d1), d1o, c(d2), d2o);
    }

    @Override
    public void biasUnary(UnaryFn f, int p, int rows, int cols, DArray b, long bo, DArray z, long zo,
                          DArray y, long yo, DArray d1, long d1o, DArray d2, long d2o) {
        live();
        ops.biasUnary(f, p, rows, cols, c(b), bo, c(z), zo, c(y), yo,
                d1 == null ? null : c(d1), d1o, d2 == null ? null : c(d2), d2o);
    }

    @Override
    public void biasMulShared(int rows, int cols, int k, DArray b, long bo, boolean bPerBlock, DArray z, long zo,
                              DArray d, long dOff, DArray y, long yo) {
        live();
        ops.biasMulShared(rows, cols, k, c(b), bo, bPerBlock, c(z), zo, c(d), dOff, c(y), yo);
    }

    @Override
    public void mulShared(long n, int k, double a, DArray x, long xo, DArray y, long yo,
                          double b, DArray z, long zo) {
        live();
        ops.mulShared(n, k, a, c(x), xo, c(y), yo, b, c(z), zo);
    }

    @Override
    public void mul2Shared(long n, int k, DArray a, long ao, DArray x, long xo, DArray b, long bo,
                           DArray y, long yo, double bt, DArray z, long zo) {
        live();
        ops.mul2Shared(n, k, c(a), ao, c(x), xo, c(b), bo, c(y), yo, bt, c(z), zo);
    }

    @Override
    public void scaleByScalar(long n, int k, double a, DArray s, long so, boolean sPerBlock,
                              DArray x, long xo, boolean xPerBlock, double b, DArray y, long yo) {
        live();
        ops.scaleByScalar(n, k, a, c(s), so, sPerBlock, x == null ? null : c(x), xo, xPerBlock, b, c(y), yo);
    }

    @Override
    public void addRowVector(int rows, int cols, int k, double a, DArray b, long bo,
                             boolean bPerBlock, DArray z, long zo) {
        live();
        ops.addRowVector(rows, cols, k, a, c(b), bo, bPerBlock, c(z), zo);
    }

    @Override
    public void columnSums(int rows, int cols, int k, double a, DArray x, long xo,
                           double b, DArray y, long yo) {
        live();
        ops.columnSums(rows, cols, k, a, c(x), xo, b, c(y), yo);
    }

    @Override
    public void sums(long n, int k, double a, DArray x, long xo, double b, DArray y, long yo) {
        live();
        ops.sums(n, k, a, c(x), xo, b, c(y), yo);
    }

    @Override
    public void softmaxCrossEntropy(int rows, int cols, DArray z, long zo, IArray labels,
                                    DArray p, long po, DArray g, long go, DArray loss, long lo) {
        live();
        ops.softmaxCrossEntropy(rows, cols, c(z), zo, ci(labels), c(p), po, c(g), go, c(loss), lo);
    }

    @Override
    public void softmaxCeTvjp(int rows, int cols, int k, double alpha, DArray p, long po, DArray g, long go,
                              DArray dz, long dzo, DArray l, long lo, DArray ldot, long ldo, double beta,
                              DArray out, long oo) {
        live();
        ops.softmaxCeTvjp(rows, cols, k, alpha, c(p), po, c(g), go, c(dz), dzo, c(l), lo, c(ldot), ldo, beta, c(out), oo);
    }

    // ---------------------------------------------------------------- extension primitives

    @Override
    public void transpose(int rows, int cols, int k, double alphaV, DArray x, long xo, double betaV, DArray y, long yo) {
        live();
        KernelOps.nonNegative(rows, "rows");
        KernelOps.nonNegative(cols, "cols");
        KernelOps.nonNegative(k, "k");
        long size = (long) rows * cols;
        CudaArray xa = c(x);
        CudaArray ya = c(y);
        KernelOps.range(xa, xo, size * k, "transpose x");
        KernelOps.range(ya, yo, size * k, "transpose y");
        if (size == 0 || k == 0) {
            return;
        }
        if (betaV == 0.0) {
            // geam would read y scaled by 0 (NaN · 0 = NaN); the contract ignores y's contents
            ops.fill(size * k, 0.0, ya, yo);
        }
        alpha[0] = alphaV;
        beta[0] = betaV;
        for (int j = 0; j < k; j++) {
            // row-major x_j (rows×cols) is column-major cols×rows; y_j = x_jᵀ row-major (cols×rows)
            // is column-major rows×cols: C = α·op(A) + β·C with op = T, in place (C = B, ldb = ldc)
            JCublas2.cublasDgeam(ctx.cublas(), CUBLAS_OP_T, CUBLAS_OP_N, rows, cols, alphaP, at(xa, xo + j * size), cols,
                    betaP, at(ya, yo + j * size), rows, at(ya, yo + j * size), rows);
        }
    }

    @Override
    public void max(long n, DArray a, long ao, DArray b, long bo, DArray y, long yo, DArray m, long mo) {
        live();
        ops.max(n, c(a), ao, c(b), bo, c(y), yo, m == null ? null : c(m), mo);
    }

    // ---------------------------------------------------------------- cuSOLVER

    private int downloadInfo() {
        JCudaDriver.cuStreamSynchronize(ctx.stream());
        JCudaDriver.cuMemcpyDtoH(Pointer.to(info), ctx.devInfo(), 4);
        return info[0];
    }

    @Override
    public LinalgStatus syevd(int n, DArray a, long ao, DArray w, long wo, boolean vectors) {
        live();
        CudaArray aa = c(a);
        CudaArray wa = c(w);
        KernelOps.nonNegative(n, "n");
        KernelOps.range(aa, ao, (long) n * n, "syevd A");
        KernelOps.range(wa, wo, n, "syevd w");
        if (n == 0) {
            return new LinalgStatus("cusolverDnDsyevd", 0);
        }
        int jobz = vectors ? cusolverEigMode.CUSOLVER_EIG_MODE_VECTOR : cusolverEigMode.CUSOLVER_EIG_MODE_NOVECTOR;
        int uplo = cublasFillMode.CUBLAS_FILL_MODE_UPPER;
        // workspace size first (elements, not bytes), then the solve with the kept workspace
        JCusolverDn.cusolverDnDsyevd_bufferSize(ctx.cusolver(), jobz, uplo, n, at(aa, ao), n, at(wa, wo), lwork);
        CudaContext.WorkBuffer work = ctx.solverWork(Math.max(1, lwork[0]));
        JCusolverDn.cusolverDnDsyevd(ctx.cusolver(), jobz, uplo, n, at(aa, ao), n, at(wa, wo),
                work.ptr, lwork[0], ctx.devInfo());
        // eigenvalues ascending; eigenvectors are the column-major columns = the row-major rows
        return new LinalgStatus("cusolverDnDsyevd", downloadInfo());
    }

    @Override
    public Inertia inertia(int n, DArray a, long ao) {
        live();
        CudaArray aa = c(a);
        KernelOps.nonNegative(n, "n");
        KernelOps.range(aa, ao, (long) n * n, "inertia A");
        if (n == 0) {
            return new Inertia(0, 0, 0, new LinalgStatus("cusolverDnDsytrf", 0));
        }
        int uplo = cublasFillMode.CUBLAS_FILL_MODE_LOWER;
        JCusolverDn.cusolverDnDsytrf_bufferSize(ctx.cusolver(), n, at(aa, ao), n, lwork);
        CudaContext.WorkBuffer work = ctx.solverWork(Math.max(1, lwork[0]));
        CUdeviceptr ipiv = ctx.ipiv(n);
        JCusolverDn.cusolverDnDsytrf(ctx.cusolver(), uplo, n, at(aa, ao), n, ipiv, work.ptr, lwork[0], ctx.devInfo());
        int inf = downloadInfo();
        if (inf < 0) {
            return new Inertia(0, 0, 0, new LinalgStatus("cusolverDnDsytrf", inf));
        }
        // info > 0: D(info,info) is exactly zero; the factorization is complete and that block
        // counts as zero (as on the CPU). Gather D's diagonal (stride n+1) and subdiagonal
        // (column-major (k+1,k), offset 1, stride n+1) with cuBLAS, then download 2n-1 values.
        CudaContext.WorkBuffer d = ctx.hostCopyScratch(2L * n);
        JCublas2.cublasDcopy(ctx.cublas(), n, at(aa, ao), n + 1, d.ptr, 1);
        if (n > 1) {
            JCublas2.cublasDcopy(ctx.cublas(), n - 1, at(aa, ao + 1), n + 1, d.ptr.withByteOffset(8L * n), 1);
        }
        double[] diagSub = new double[2 * n - 1];
        int[] piv = new int[n];
        JCudaDriver.cuStreamSynchronize(ctx.stream());
        JCudaDriver.cuMemcpyDtoH(Pointer.to(diagSub), d.ptr, 8L * (2L * n - 1));
        JCudaDriver.cuMemcpyDtoH(Pointer.to(piv), ipiv, 4L * n);
        double[] diag = java.util.Arrays.copyOfRange(diagSub, 0, n);
        double[] sub = java.util.Arrays.copyOfRange(diagSub, n, 2 * n - 1);
        return LdlInertia.count(n, diag, sub, piv, new LinalgStatus("cusolverDnDsytrf", 0));
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        if (closed) {
            return;
        }
        RuntimeException first = null;
        try {
            ctx.live();
            JCudaDriver.cuStreamSynchronize(ctx.stream());
        } catch (RuntimeException e) {
            first = e;
        }
        for (GraphReplay r : new ArrayList<>(replays)) {
            try {
                r.closed = true;
                r.destroy();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        replays.clear();
        List<DeviceArray> arrays = new ArrayList<>(liveArrays);
        for (DeviceArray o : arrays) {
            try {
                DeviceArray.free(o.invalidate());
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        liveArrays.clear();
        liveBytes = 0;
        closed = true;
        try {
            ctx.close();
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }
}
