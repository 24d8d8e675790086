package dev.morse.index;

import dev.morse.ad.Linearization;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.krylov.SymmetricOperator;
import java.util.SplittableRandom;

/**
 * The Hessian at one linearization as a symmetric operator: apply(v) = H·v, applyBlock(V),
 * ‖H‖_F, and the dense matrix when N allows. Dense mode assembles H once per {@link #bind}
 * (N HVPs in blocks, via {@link Linearization#hessian}) and applies it with gemv/gemm;
 * matrix-free mode forwards every product to the linearization's HVPs. The buffers are
 * allocated once, so re-binding at each Newton step allocates nothing.
 *
 * <p>In dense mode the operator stays usable after the linearization goes stale (the matrix
 * is kept); in matrix-free mode it does not.
 */
public final class HessianOperator implements SymmetricOperator, AutoCloseable {

    /** How to hold the Hessian. */
    public enum Mode {
        /** Dense when N ≤ {@link #AUTO_DENSE_MAX_N}, else matrix-free. */
        AUTO,
        DENSE,
        MATRIX_FREE;

        /** The mode AUTO resolves to for N parameters. */
        public Mode resolve(int n) {
            if (this != AUTO) {
                return this;
            }
            return n <= AUTO_DENSE_MAX_N ? DENSE : MATRIX_FREE;
        }
    }

    /**
     * Assembling H costs N HVP-equivalents per Newton step (measured: ~800-1300 on the papers'
     * MLPs, whose blocks do not beat single HVPs on a CPU), while MINRES-QLP at rtol 5e-4
     * typically needs tens to a few hundred HVPs: dense pays only for small N, or when the
     * solver runs to maxit = N anyway (rtol 1e-10 on the linear autoencoder, N = 128). The
     * dense path's exact ‖H‖_F can be asked for with mode DENSE.
     */
    public static final int AUTO_DENSE_MAX_N = 256;
    /** Hutchinson probes for ‖H‖_F in matrix-free mode (relative std of ‖H‖²_F ≤ 0.25). */
    public static final int DEFAULT_PROBES = 32;
    public static final long DEFAULT_SEED = 20200101L;

    private final Backend be;
    private final int n;
    private final boolean dense;
    private final DArray h;
    private final int probes;
    private final long seed;
    private DArray probeIn;
    private DArray probeOut;
    private double[] probeHost;
    private Linearization lin;
    private boolean bound;
    private FrobeniusNorm frob;
    private long applications;
    private boolean closed;

    public HessianOperator(Backend backend, int n, Mode mode) {
        this(backend, n, mode, DEFAULT_PROBES, DEFAULT_SEED);
    }

    public HessianOperator(Backend backend, int n, Mode mode, int probes, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("hessian operator: N must be ≥ 1, got " + n);
        }
        if (probes < 1) {
            throw new IllegalArgumentException("hessian operator: Hutchinson needs ≥ 1 probe, got " + probes);
        }
        this.be = backend;
        this.n = n;
        this.dense = mode.resolve(n) == Mode.DENSE;
        this.probes = probes;
        this.seed = seed;
        this.h = dense ? backend.alloc((long) n * n) : null;
    }

    /** Points the operator at a new linearization; in dense mode assembles H now. */
    public void bind(Linearization linearization) {
        live();
        this.lin = linearization;
        this.frob = null;
        if (dense) {
            linearization.hessian(h, 0);
            applications += n;
        }
        bound = true;
    }

    public boolean isDense() {
        return dense;
    }

    /** Hessian-vector products spent so far (assembly counts N; a block of k counts k). */
    public long hvpCount() {
        return applications;
    }

    @Override
    public int n() {
        return n;
    }

    @Override
    public Backend backend() {
        return be;
    }

    @Override
    public void apply(DArray x, long xo, DArray y, long yo) {
        ready();
        if (dense) {
            be.gemv(false, n, n, 1.0, h, 0, n, x, xo, 0.0, y, yo);
        } else {
            lin.hvp(x, xo, y, yo);
            applications++;
        }
    }

    /** out ← H·V for k directions stored as rows of V (k×N), likewise out. */
    public void applyBlock(int k, DArray v, long vo, DArray out, long oo) {
        ready();
        if (dense) {
            // rows: out_j = H v_j, i.e. OUT = V·Hᵀ = V·H
            be.gemm(false, false, k, n, n, 1.0, v, vo, n, h, 0, n, 0.0, out, oo, n);
        } else {
            lin.hvpBlock(k, v, vo, out, oo);
            applications += k;
        }
    }

    /** The assembled H (dense mode only; valid until the next bind). */
    public DArray matrix() {
        ready();
        if (!dense) {
            throw new IllegalStateException("hessian operator is matrix-free: no assembled matrix "
                    + "(use copyDense, which assembles on demand)");
        }
        return h;
    }

    /** Writes the dense H into out[oo .. oo + N²): a copy in dense mode, an assembly otherwise. */
    public void copyDense(DArray out, long oo) {
        ready();
        if (dense) {
            be.copy((long) n * n, h, 0, out, oo);
        } else {
            lin.hessian(out, oo);
            applications += n;
        }
    }

    /**
     * ‖H‖_F: exact from the assembled matrix in dense mode, otherwise Hutchinson's estimate
     * with this operator's probe count and seed (the same probes at every binding).
     * Computed once per binding.
     */
    public FrobeniusNorm frobeniusNorm() {
        ready();
        if (frob == null) {
            frob = dense ? FrobeniusNorm.exact(be.nrm2((long) n * n, h, 0)) : hutchinson();
        }
        return frob;
    }

    private FrobeniusNorm hutchinson() {
        if (probeIn == null) {
            probeIn = be.alloc((long) probes * n);
            probeOut = be.alloc((long) probes * n);
            probeHost = new double[Math.multiplyExact(probes, n)];
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < probeHost.length; i++) {
                probeHost[i] = rnd.nextBoolean() ? 1.0 : -1.0;
            }
            be.upload(probeHost, 0, probeIn, 0, probeHost.length);
        }
        lin.hvpBlock(probes, probeIn, 0, probeOut, 0);
        applications += probes;
        double s = be.nrm2((long) probes * n, probeOut, 0);
        return new FrobeniusNorm(s / Math.sqrt(probes), false, probes, seed);
    }

    private void ready() {
        live();
        if (!bound) {
            throw new IllegalStateException("hessian operator used before bind()");
        }
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("hessian operator used after close");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (h != null) {
                h.close();
            }
            if (probeIn != null) {
                probeIn.close();
                probeOut.close();
            }
        }
    }
}
