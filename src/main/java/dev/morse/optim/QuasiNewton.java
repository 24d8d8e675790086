package dev.morse.optim;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * The iteration BFGS and L-BFGS share around their inverse-Hessian approximation H_k (Nocedal &
 * Wright Alg 6.1, 7.5): at θ_k the direction d = −H_k g (steepest descent, H reset to H₀ = I,
 * when d does not descend), a strong-Wolfe line search on the loss (N&W Alg 3.5-3.6), the pair
 * s = θ_{k+1} − θ_k, y = g_{k+1} − g_k, and H updated from it when yᵀs > 1e-10‖s‖‖y‖ (a pair
 * below that is skipped, so H stays positive definite).
 */
public abstract sealed class QuasiNewton implements AutoCloseable permits Bfgs, Lbfgs {
    private static final double CURVATURE_SKIP = 1e-10;
    /** The largest step the line search tries (from α0 = 1 by doubling). */
    private static final double MAX_STEP = 1e10;

    final Backend be;
    final int n;
    private final Objective obj;
    private final StopCriteria stop;
    private final double c1;
    private final double c2;
    private final int maxEvaluations;
    private final RunRecorder rec;
    private final LossAlongDirection merit;
    private DArray theta;
    private DArray trial;
    private final DArray g;
    private final DArray d;

    QuasiNewton(String method, Objective objective, StopCriteria stop, double c1, double c2, int maxEvaluations) {
        this.obj = objective;
        this.be = objective.backend();
        this.n = objective.n();
        this.stop = stop;
        this.c1 = c1;
        this.c2 = c2;
        this.maxEvaluations = maxEvaluations;
        this.rec = new RunRecorder(method, be, n);
        this.merit = new LossAlongDirection(objective);
        this.theta = be.alloc(n);
        this.trial = be.alloc(n);
        this.g = be.alloc(n);
        this.d = be.alloc(n);
    }

    /** H ← H₀ = I: at the start, and when −Hg does not descend. */
    abstract void reset();

    /** d ← −H g. */
    abstract void direction(DArray g, DArray d);

    /** Where the next pair is written: s and y at {@link #pairOffset()} of these arrays. */
    abstract DArray pairS();

    abstract DArray pairY();

    abstract long pairOffset();

    /** H updated from the pair just written, with yᵀs and yᵀy. */
    abstract void update(double sy, double yy);

    public Run run(double[] theta0) {
        return run(theta0, IterateListener.NONE);
    }

    /** A run whose every iterate is shown to {@code listener} once reached. */
    public Run run(double[] theta0, IterateListener listener) {
        rec.start(theta0, theta, listener);
        reset();
        Linearization lin = obj.at(theta, 0);
        rec.record(0, lin);
        StopReason reason = StopReason.ITERATION_CAP;
        String detail = null;
        for (int k = 1; k <= stop.maxIterations(); k++) {
            StopReason at = RunRecorder.stopAt(lin, stop.gradNormSqFloor(), true);
            if (at != null) {
                reason = at;
                break;
            }
            be.copy(n, lin.gradient(), 0, g, 0);
            final double f0 = lin.value();
            direction(g, d);
            double slope0 = be.dot(n, g, 0, d, 0);
            if (!(slope0 < 0)) { // not a descent direction: steepest descent, H from H₀ again
                reset();
                be.axpby(n, -1.0, g, 0, 0.0, d, 0);
                slope0 = be.dot(n, g, 0, d, 0);
            }
            LineSearch.Result ls = LineSearch.strongWolfe(merit.along(theta, d, trial), f0, slope0, 1.0, c1, c2,
                    MAX_STEP, maxEvaluations);
            if (ls.alpha() == 0) {
                reason = StopReason.THETA_UNCHANGED;
                detail = "line search failed";
                break;
            }
            if (!ls.atAlpha()) {
                merit.value(ls.alpha());
            }
            // s = θ' − θ = αd, y = g' − g
            final DArray s = pairS();
            final DArray y = pairY();
            final long o = pairOffset();
            be.axpby(n, ls.alpha(), d, 0, 0.0, s, o);
            be.copy(n, merit.last().gradient(), 0, y, o);
            be.axpy(n, -1.0, g, 0, y, o);
            final double sy = be.dot(n, s, o, y, o);
            final double yy = be.dot(n, y, o, y, o);
            if (sy > CURVATURE_SKIP * Math.sqrt(be.dot(n, s, o, s, o) * yy)) {
                update(sy, yy);
            }
            DArray tmp = theta;
            theta = trial;
            trial = tmp;
            lin = merit.last();
            rec.record(k, lin);
        }
        return rec.finishOptimizer(theta, reason, detail);
    }

    @Override
    public void close() {
        for (DArray a : new DArray[] {theta, trial, g, d}) {
            a.close();
        }
    }
}
