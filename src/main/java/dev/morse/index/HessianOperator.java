package dev.morse.index;

import dev.morse.ad.Linearization;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.krylov.SymmetricOperator;
import java.util.SplittableRandom;

/**
 * The Hessian at one linearization as a symmetric operator: apply(v) = H·v, applyBlock(V),
 * ‖H‖_F, and the dense matrix when N allows. Dense route: H is assembled once per {@link #bind}
 * (N HVPs in blocks, via {@link Linearization#hessian}) and applied with gemv/gemm; matrix-free
 * route: every product is an HVP of the linearization. The buffers are allocated once (in
 * {@link Mode#AUTO}, at the first {@link #choose}), so re-binding at each Newton step
 * allocates nothing.
 *
 * <p>{@link Mode#AUTO} chooses the route from measured costs ({@link HessianRoute}): the Newton
 * methods call {@link #choose} at their first iterate and may revise once ({@link #revise});
 * the route changes at the next bind. Before any choice AUTO starts as {@link Mode#resolve}
 * says. ‖H‖_F is exact in mode DENSE, a Hutchinson estimate in mode MATRIX_FREE, and in mode
 * AUTO exact iff N ≤ {@link #AUTO_DENSE_MAX_N}, whichever route is taken (Hutchinson on the
 * dense route multiplies the same probes by the assembled H), so r and r_H do not depend on
 * the measured route.
 *
 * <p>On the dense route the operator stays usable after the linearization goes stale (the
 * matrix is kept); on the matrix-free route it does not.
 */
public final class HessianOperator implements SymmetricOperator, AutoCloseable {

    /** How to hold the Hessian. */
    public enum Mode {
        /**
         * Dense when N ≤ {@link #AUTO_DENSE_MAX_N} (exact ‖H‖_F); above, the cheaper route by
         * measured costs ({@link #choose}), matrix-free before a choice.
         */
        AUTO,
        DENSE,
        MATRIX_FREE;

        /** The route AUTO starts with for N parameters, before costs are measured. */
        public Mode resolve(int n) {
            if (this != AUTO) {
                return this;
            }
            return n <= AUTO_DENSE_MAX_N ? DENSE : MATRIX_FREE;
        }
    }

    /**
     * Up to this N, mode AUTO computes ‖H‖_F exactly (from the assembled H), as the fixed rule
     * "dense iff N ≤ 256" did before routes were measured: the assembly the exact norm needs
     * makes the dense route the cheaper one there, and the papers' small problems (the linear
     * autoencoder, N = 128) keep their exact r. Above it the norm is Hutchinson's on either
     * route, and the route is whichever the measured costs favour.
     */
    public static final int AUTO_DENSE_MAX_N = 256;
    /** Hutchinson probes for ‖H‖_F in matrix-free mode (relative std of ‖H‖²_F ≤ 0.25). */
    public static final int DEFAULT_PROBES = 32;
    public static final long DEFAULT_SEED = 20200101L;
    /** Directions of the block timed by {@link #measure} (the plan's default block capacity). */
    public static final int PROBE_BLOCK = 64;

    private final Backend be;
    private final int n;
    private final Mode mode;
    private final boolean exactNorm;
    private boolean dense;
    private boolean nextDense;
    private DArray h;
    private final int probes;
    private final long seed;
    private DArray probeIn;
    private DArray probeOut;
    private double[] probeHost;
    private Linearization lin;
    private boolean bound;
    private FrobeniusNorm frob;
    /** Whether the first revision's second measurement was taken. */
    private boolean remeasured;
    private long applications;
    private boolean closed;
    private HessianRoute.Probe probe = HessianRoute.Probe.MEASURED;
    private HessianRoute.Costs costs;
    private DArray probeV;
    private DArray probeBlockOut;
    private DArray probeY;

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
        this.mode = mode;
        this.dense = mode.resolve(n) == Mode.DENSE;
        this.nextDense = dense;
        this.exactNorm = mode == Mode.DENSE || (mode == Mode.AUTO && n <= AUTO_DENSE_MAX_N);
        this.probes = probes;
        this.seed = seed;
        this.h = dense ? backend.alloc((long) n * n) : null;
    }

    /** Points the operator at a new linearization; on the dense route assembles H now. */
    public void bind(Linearization linearization) {
        live();
        this.lin = linearization;
        this.frob = null;
        this.dense = nextDense;
        if (dense) {
            matrixBuffer();
            linearization.hessian(h, 0);
            applications += n;
        } else if (h != null && mode == Mode.AUTO) {
            // the measured route went matrix-free: give the N×N buffer (the probe's, or an
            // earlier dense binding's) back; a later dense binding allocates it again
            h.close();
            h = null;
        }
        bound = true;
    }

    /** True when the current binding holds the assembled H (the dense route). */
    public boolean isDense() {
        return dense;
    }

    /** The mode the operator was made with. */
    public Mode mode() {
        return mode;
    }

    /** Whether ‖H‖_F is exact (fixed by the mode and N, not by the route). */
    public boolean exactNorm() {
        return exactNorm;
    }

    /** Replaces the cost measurement of mode AUTO (tests inject a fixed cost model); before the first choice only. */
    public void useProbe(HessianRoute.Probe p) {
        if (costs != null) {
            throw new IllegalStateException("hessian operator: costs were already measured");
        }
        this.probe = java.util.Objects.requireNonNull(p);
    }

    /** The measured costs (null before mode AUTO's first choice, and in the forced modes). */
    public HessianRoute.Costs costs() {
        return costs;
    }

    /**
     * The route for Newton steps of about m operator applications, from the next bind on.
     * Forced modes return theirs; mode AUTO with an exact ‖H‖_F is dense ({@link
     * HessianRoute.Basis#EXACT_NORM}). Otherwise AUTO measures its costs at {@code lin} the first
     * time (kept for the operator's life: they depend on the problem's shapes, not on θ), then
     * takes the cheaper route ({@link HessianRoute#choose}).
     */
    public HessianRoute.Decision choose(Linearization lin, long m) {
        live();
        if (mode != Mode.AUTO) {
            return HessianRoute.Decision.forced(dense ? HessianRoute.Route.DENSE : HessianRoute.Route.MATRIX_FREE);
        }
        if (exactNorm) {
            nextDense = true;
            return HessianRoute.Decision.exactNorm();
        }
        if (costs == null) {
            costs = probe.measure(this, lin);
        }
        HessianRoute.Route r = HessianRoute.choose(costs, m);
        nextDense = r == HessianRoute.Route.DENSE;
        return new HessianRoute.Decision(r, HessianRoute.Basis.MEASURED, costs, m, r);
    }

    /**
     * The choice again with m known (after a run's first solve); the route changes at the next
     * bind. At the operator's first revision the unit costs are measured a second time, at the
     * bound linearization, and each is the least of the two measurements, so one load spike
     * during either probe (a time too high, never too low) does not decide the route; later
     * runs on the same operator reuse them (and allocate nothing).
     */
    public HessianRoute.Decision revise(HessianRoute.Decision first, long m) {
        live();
        if (first.costs() == null || costs == null) {
            return first;
        }
        ready();
        if (!remeasured) {
            remeasured = true;
            costs = costs.leastOf(probe.measure(this, lin));
        }
        HessianRoute.Route r = HessianRoute.choose(costs, m);
        nextDense = r == HessianRoute.Route.DENSE;
        return new HessianRoute.Decision(r, HessianRoute.Basis.REVISED, costs, m, first.route());
    }

    /**
     * Times the unit operations of both routes at {@code lin} (synchronized, the least of a few
     * calls each): one hvpBlock of {@link #PROBE_BLOCK} identity directions (an assembly's work,
     * into a buffer of its own, so a bound H is left as it is), one HVP, one gemv with H. The block goes first, so
     * the single HVPs are timed on warm code. The dense operations are timed only when H fits
     * {@link HessianRoute#DENSE_MEMORY_SHARE} of the available memory; H is then allocated here
     * and kept. The HVPs spent count in {@link #hvpCount}.
     */
    public HessianRoute.Costs measure(Linearization lin) {
        live();
        long denseBytes = 8L * n * n;
        long avail = be.availableBytes() >= 0 ? be.availableBytes() : DenseRoutes.cpuAvailable();
        long budget = (long) (HessianRoute.DENSE_MEMORY_SHARE * avail) + (h != null ? denseBytes : 0);
        boolean fits = denseBytes <= budget;
        if (probeY == null) {
            probeY = be.alloc(n);
        }
        DArray g = lin.gradient();
        int k = Math.min(n, PROBE_BLOCK);
        double tBlock = Double.NaN;
        if (fits) {
            matrixBuffer();
            if (probeV == null) {
                probeBlockOut = be.alloc((long) k * n);
                probeV = be.alloc((long) k * n);
                for (int j = 0; j < k; j++) {
                    be.fill(1, 1.0, probeV, (long) j * n + j);
                }
            }
            tBlock = Double.MAX_VALUE;
            for (int i = 0; i < 2; i++) {
                be.synchronize();
                long t0 = System.nanoTime();
                lin.hvpBlock(k, probeV, 0, probeBlockOut, 0);
                be.synchronize();
                tBlock = Math.min(tBlock, (System.nanoTime() - t0) * 1e-9);
            }
            applications += 2L * k;
        }
        double tHvp = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            be.synchronize();
            long t0 = System.nanoTime();
            lin.hvp(g, 0, probeY, 0);
            be.synchronize();
            tHvp = Math.min(tHvp, (System.nanoTime() - t0) * 1e-9);
        }
        applications += 3;
        if (!fits) {
            return new HessianRoute.Costs(n, tHvp, Double.NaN, 0, Double.NaN, probes, denseBytes, budget);
        }
        double tGemv = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            be.synchronize();
            long t0 = System.nanoTime();
            be.gemv(false, n, n, 1.0, h, 0, n, g, 0, 0.0, probeY, 0);
            be.synchronize();
            tGemv = Math.min(tGemv, (System.nanoTime() - t0) * 1e-9);
        }
        return new HessianRoute.Costs(n, tHvp, tBlock / k, k, tGemv, probes, denseBytes, budget);
    }

    private void matrixBuffer() {
        if (h == null) {
            h = be.alloc((long) n * n);
        }
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
     * ‖H‖_F: exact from the assembled matrix when {@link #exactNorm}, otherwise Hutchinson's
     * estimate with this operator's probe count and seed (the same probes at every binding;
     * on the dense route multiplied by the assembled H, on the matrix-free route by HVPs).
     * Computed once per binding.
     */
    public FrobeniusNorm frobeniusNorm() {
        ready();
        if (frob == null) {
            // exactNorm implies the dense route (mode DENSE, or AUTO at N ≤ AUTO_DENSE_MAX_N)
            frob = exactNorm ? FrobeniusNorm.exact(be.nrm2((long) n * n, h, 0)) : hutchinson();
        }
        return frob;
    }

    /**
     * Whether the matrix-free route's Hutchinson probes run as single HVPs (the measured costs
     * found a block direction dearer than an HVP) rather than as one hvpBlock.
     */
    public boolean probesSingly() {
        return costs != null && costs.probesSingly();
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
        if (dense) {
            // rows: out_j = H z_j, i.e. OUT = Z·H
            be.gemm(false, false, probes, n, n, 1.0, probeIn, 0, n, h, 0, n, 0.0, probeOut, 0, n);
        } else if (probesSingly()) {
            for (int j = 0; j < probes; j++) {
                lin.hvp(probeIn, (long) j * n, probeOut, (long) j * n);
            }
            applications += probes;
        } else {
            lin.hvpBlock(probes, probeIn, 0, probeOut, 0);
            applications += probes;
        }
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
            if (probeV != null) {
                probeV.close();
                probeBlockOut.close();
            }
            if (probeY != null) {
                probeY.close();
            }
        }
    }
}
