package dev.morse.testing;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.IArray;
import dev.morse.backend.Inertia;
import dev.morse.backend.LinalgStatus;
import dev.morse.backend.UnaryFn;

/**
 * A backend that forwards every call to another one and counts the calls that queue device
 * work (what a GPU pays a launch for). Subclasses override {@link #record} to stand in for a
 * device that records work (CUDA graphs), which no machine here has.
 */
public class ForwardingBackend implements Backend {
    protected final Backend inner;
    private long launches;

    public ForwardingBackend(Backend inner) {
        this.inner = inner;
    }

    /** Calls that queue device work so far (BLAS, kernels, solver calls; not transfers). */
    public long launches() {
        return launches;
    }

    /** Called before every call that queues device work; subclasses may add a cost. */
    protected void launch() {
        launches++;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String description() {
        return "forwarding to " + inner.description();
    }

    /** An array of the inner backend that reports this backend as its owner. */
    private final class Arr implements DArray {
        final DArray in;

        Arr(DArray in) {
            this.in = in;
        }

        @Override
        public long length() {
            return in.length();
        }

        @Override
        public Backend backend() {
            return ForwardingBackend.this;
        }

        @Override
        public void close() {
            in.close();
        }
    }

    private final class IArr implements IArray {
        final IArray in;

        IArr(IArray in) {
            this.in = in;
        }

        @Override
        public int length() {
            return in.length();
        }

        @Override
        public Backend backend() {
            return ForwardingBackend.this;
        }

        @Override
        public void close() {
            in.close();
        }
    }

    private DArray u(DArray a) {
        return a == null ? null : ((Arr) a).in;
    }

    private IArray ui(IArray a) {
        return a == null ? null : ((IArr) a).in;
    }

    @Override
    public DArray alloc(long n) {
        return new Arr(inner.alloc(n));
    }

    @Override
    public IArray allocInt(int n) {
        return new IArr(inner.allocInt(n));
    }

    @Override
    public long allocations() {
        return inner.allocations();
    }

    @Override
    public long liveBytes() {
        return inner.liveBytes();
    }

    @Override
    public void upload(double[] src, int srcOff, DArray dst, long dstOff, int n) {
        inner.upload(src, srcOff, u(dst), dstOff, n);
    }

    @Override
    public void download(DArray src, long srcOff, double[] dst, int dstOff, int n) {
        inner.download(u(src), srcOff, dst, dstOff, n);
    }

    @Override
    public void uploadInt(int[] src, int srcOff, IArray dst, int dstOff, int n) {
        inner.uploadInt(src, srcOff, ui(dst), dstOff, n);
    }

    @Override
    public void downloadInt(IArray src, int srcOff, int[] dst, int dstOff, int n) {
        inner.downloadInt(ui(src), srcOff, dst, dstOff, n);
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    @Override
    public void copy(long n, DArray x, long xo, DArray y, long yo) {
        launch();
        inner.copy(n, u(x), xo, u(y), yo);
    }

    @Override
    public void fill(long n, double v, DArray y, long yo) {
        launch();
        inner.fill(n, v, u(y), yo);
    }

    @Override
    public void scal(long n, double a, DArray x, long xo) {
        launch();
        inner.scal(n, a, u(x), xo);
    }

    @Override
    public void axpy(long n, double a, DArray x, long xo, DArray y, long yo) {
        launch();
        inner.axpy(n, a, u(x), xo, u(y), yo);
    }

    @Override
    public void axpby(long n, double a, DArray x, long xo, double b, DArray y, long yo) {
        launch();
        inner.axpby(n, a, u(x), xo, b, u(y), yo);
    }

    @Override
    public double dot(long n, DArray x, long xo, DArray y, long yo) {
        launch();
        return inner.dot(n, u(x), xo, u(y), yo);
    }

    @Override
    public double nrm2(long n, DArray x, long xo) {
        launch();
        return inner.nrm2(n, u(x), xo);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, DArray a, long ao, int lda,
                     DArray b, long bo, int ldb, double beta, DArray c, long co, int ldc) {
        launch();
        inner.gemm(transA, transB, m, n, k, alpha, u(a), ao, lda, u(b), bo, ldb, beta, u(c), co, ldc);
    }

    @Override
    public void gemv(boolean transA, int m, int n, double alpha, DArray a, long ao, int lda, DArray x, long xo,
                     double beta, DArray y, long yo) {
        launch();
        inner.gemv(transA, m, n, alpha, u(a), ao, lda, u(x), xo, beta, u(y), yo);
    }

    @Override
    public void unary(UnaryFn f, int p, long n, DArray x, long xo, DArray y, long yo) {
        launch();
        inner.unary(f, p, n, u(x), xo, u(y), yo);
    }

    @Override
    public void unaryDerivatives(UnaryFn f, int p, long n, DArray x, long xo, DArray y, long yo, DArray d1, long d1o,
                                 DArray d2, long d2o) {
        launch();
        inner.unaryDerivatives(f, p, n, u(x), xo, u(y), yo, u(d1), d1o, u(d2), d2o);
    }

    @Override
    public void biasUnary(UnaryFn f, int p, int rows, int cols, DArray b, long bo, DArray z, long zo, DArray y,
                          long yo, DArray d1, long d1o, DArray d2, long d2o) {
        launch();
        inner.biasUnary(f, p, rows, cols, u(b), bo, u(z), zo, u(y), yo, u(d1), d1o, u(d2), d2o);
    }

    @Override
    public void biasMulShared(int rows, int cols, int k, DArray b, long bo, boolean bPerBlock, DArray z, long zo,
                              DArray d, long dOff, DArray y, long yo) {
        launch();
        inner.biasMulShared(rows, cols, k, u(b), bo, bPerBlock, u(z), zo, u(d), dOff, u(y), yo);
    }

    @Override
    public void mulShared(long n, int k, double alpha, DArray x, long xo, DArray y, long yo, double beta, DArray z,
                          long zo) {
        launch();
        inner.mulShared(n, k, alpha, u(x), xo, u(y), yo, beta, u(z), zo);
    }

    @Override
    public void mul2Shared(long n, int k, DArray a, long ao, DArray x, long xo, DArray b, long bo, DArray y, long yo,
                           double beta, DArray z, long zo) {
        launch();
        inner.mul2Shared(n, k, u(a), ao, u(x), xo, u(b), bo, u(y), yo, beta, u(z), zo);
    }

    @Override
    public void scaleByScalar(long n, int k, double alpha, DArray s, long so, boolean sPerBlock, DArray x, long xo,
                              boolean xPerBlock, double beta, DArray y, long yo) {
        launch();
        inner.scaleByScalar(n, k, alpha, u(s), so, sPerBlock, u(x), xo, xPerBlock, beta, u(y), yo);
    }

    @Override
    public void addRowVector(int rows, int cols, int k, double alpha, DArray b, long bo, boolean bPerBlock, DArray z,
                             long zo) {
        launch();
        inner.addRowVector(rows, cols, k, alpha, u(b), bo, bPerBlock, u(z), zo);
    }

    @Override
    public void columnSums(int rows, int cols, int k, double alpha, DArray x, long xo, double beta, DArray y,
                           long yo) {
        launch();
        inner.columnSums(rows, cols, k, alpha, u(x), xo, beta, u(y), yo);
    }

    @Override
    public void sums(long n, int k, double alpha, DArray x, long xo, double beta, DArray y, long yo) {
        launch();
        inner.sums(n, k, alpha, u(x), xo, beta, u(y), yo);
    }

    @Override
    public void softmaxCrossEntropy(int rows, int cols, DArray z, long zo, IArray labels, DArray p, long po, DArray g,
                                    long go, DArray loss, long lo) {
        launch();
        inner.softmaxCrossEntropy(rows, cols, u(z), zo, ui(labels), u(p), po, u(g), go, u(loss), lo);
    }

    @Override
    public void transpose(int rows, int cols, int k, double alpha, DArray x, long xo, double beta, DArray y, long yo) {
        launch();
        inner.transpose(rows, cols, k, alpha, u(x), xo, beta, u(y), yo);
    }

    @Override
    public void max(long n, DArray a, long ao, DArray b, long bo, DArray y, long yo, DArray m, long mo) {
        launch();
        inner.max(n, u(a), ao, u(b), bo, u(y), yo, m == null ? null : u(m), mo);
    }

    @Override
    public void softmaxCeTvjp(int rows, int cols, int k, double alpha, DArray p, long po, DArray g, long go,
                              DArray dz, long dzo, DArray l, long lo, DArray ldot, long ldo, double beta,
                              DArray out, long oo) {
        launch();
        inner.softmaxCeTvjp(rows, cols, k, alpha, u(p), po, u(g), go, u(dz), dzo, u(l), lo, u(ldot), ldo, beta,
                u(out), oo);
    }

    @Override
    public LinalgStatus syevd(int n, DArray a, long ao, DArray w, long wo, boolean vectors) {
        launch();
        return inner.syevd(n, u(a), ao, u(w), wo, vectors);
    }

    @Override
    public Inertia inertia(int n, DArray a, long ao) {
        launch();
        return inner.inertia(n, u(a), ao);
    }

    @Override
    public void ensureFits(long bytes, String what) {
        inner.ensureFits(bytes, what);
    }

    @Override
    public Replay record(Runnable work) {
        return inner.record(work);
    }

    @Override
    public void close() {
        inner.close();
    }
}
