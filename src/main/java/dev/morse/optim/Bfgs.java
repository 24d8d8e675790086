package dev.morse.optim;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.index.MorseIndex;

/**
 * BFGS with a dense inverse-Hessian approximation on the device and a strong-Wolfe line
 * search (Nocedal & Wright Alg 3.5-3.6; BFGS itself is their Alg 6.1): d = −H_k g, H_{k+1} = (I − ρsyᵀ)H_k(I − ρysᵀ) + ρssᵀ,
 * ρ = 1/yᵀs, written as two rank-one updates. H₀ = I, rescaled to (yᵀs/yᵀy)·I before the first
 * update (N&W Eq 6.20); an update with yᵀs ≤ 1e-10‖s‖‖y‖ is skipped, so H stays positive
 * definite: BFGS never follows negative curvature, which is why it avoids the saddle exact
 * Newton converges to (experiment E8).
 */
public final class Bfgs implements AutoCloseable {
    /**
     * @param c1, c2          Wolfe constants
     * @param maxEvaluations  merit evaluations per line search
     */
    public record Options(StopCriteria stop, double c1, double c2, int maxEvaluations) {
        /** c1 = 1e-4, c2 = 0.9, 40 evaluations per search; stop below ‖g‖² = {@link #GTOL}. */
        public static Options of(int iterations) {
            return new Options(new StopCriteria(iterations, GTOL), 1e-4, 0.9, 40);
        }
    }

    /** The default ‖g‖² floor of BFGS and L-BFGS. */
    public static final double GTOL = 1e-12;

    private static final double CURVATURE_SKIP = 1e-10;
    /** The largest step the line search tries (from α0 = 1 by doubling). */
    private static final double MAX_STEP = 1e10;

    private final Objective obj;
    private final Recorder rec;
    private final Options opt;
    private final Backend be;
    private final int n;
    private final DArray hinv;
    private DArray theta;
    private DArray trial;
    private final DArray g;
    private final DArray s;
    private final DArray y;
    private final DArray u;
    private final DArray d;
    private final DArray e;

    public Bfgs(Objective objective, Options options) {
        this.obj = objective;
        this.opt = options;
        this.be = objective.backend();
        this.n = objective.n();
        this.rec = new Recorder("bfgs", be, n);
        this.hinv = be.alloc((long) n * n);
        this.theta = be.alloc(n);
        this.trial = be.alloc(n);
        this.g = be.alloc(n);
        this.s = be.alloc(n);
        this.y = be.alloc(n);
        this.u = be.alloc(n);
        this.d = be.alloc(n);
        this.e = be.alloc(n + 1L);
    }

    private void identity(double c) {
        be.fill((long) n * n, 0.0, hinv, 0);
        MorseIndex.addToDiagonal(be, n, hinv, 0, c, e);
    }

    public Run run(double[] theta0) {
        return run(theta0, IterateListener.NONE);
    }

    /** A run whose every iterate is shown to {@code listener} once reached. */
    public Run run(double[] theta0, IterateListener listener) {
        rec.start(theta0, theta, listener);
        identity(1.0);
        Linearization lin = obj.at(theta, 0);
        rec.record(0, lin);
        StopReason stop = StopReason.ITERATION_CAP;
        String detail = null;
        boolean first = true;
        LossAlongDirection merit = new LossAlongDirection(obj);
        for (int k = 1; k <= opt.stop().maxIterations(); k++) {
            StopReason at = Recorder.stopAt(lin, opt.stop().gradNormSqFloor(), true);
            if (at != null) {
                stop = at;
                break;
            }
            be.copy(n, lin.gradient(), 0, g, 0);
            final double f0 = lin.value();
            // d = −H g; fall back to steepest descent if it is not a descent direction
            be.gemv(false, n, n, -1.0, hinv, 0, n, g, 0, 0.0, d, 0);
            double slope0 = be.dot(n, g, 0, d, 0);
            if (!(slope0 < 0)) {
                identity(1.0);
                be.axpby(n, -1.0, g, 0, 0.0, d, 0);
                slope0 = be.dot(n, g, 0, d, 0);
                first = true;
            }
            LineSearch.Result ls = LineSearch.strongWolfe(merit.along(theta, d, trial), f0, slope0, 1.0, opt.c1(),
                    opt.c2(), MAX_STEP, opt.maxEvaluations());
            if (ls.alpha() == 0) {
                stop = StopReason.THETA_UNCHANGED;
                detail = "line search failed";
                break;
            }
            if (!ls.atAlpha()) {
                merit.value(ls.alpha());
            }
            // s = θ' − θ, y = g' − g
            be.axpby(n, ls.alpha(), d, 0, 0.0, s, 0);
            be.copy(n, merit.last().gradient(), 0, y, 0);
            be.axpy(n, -1.0, g, 0, y, 0);
            final double sy = be.dot(n, s, 0, y, 0);
            final double yy = be.dot(n, y, 0, y, 0);
            if (sy > CURVATURE_SKIP * Math.sqrt(be.dot(n, s, 0, s, 0) * yy)) {
                if (first) {
                    identity(sy / yy);
                    first = false;
                }
                // u = H y;  H += ((sᵀy + yᵀu)/(sᵀy)²) s sᵀ − (u sᵀ + s uᵀ)/sᵀy
                be.gemv(false, n, n, 1.0, hinv, 0, n, y, 0, 0.0, u, 0);
                final double yu = be.dot(n, y, 0, u, 0);
                rank1(s, s, (sy + yu) / (sy * sy));
                rank1(u, s, -1.0 / sy);
                rank1(s, u, -1.0 / sy);
            }
            DArray tmp = theta;
            theta = trial;
            trial = tmp;
            lin = merit.last();
            rec.record(k, lin);
        }
        return rec.finish(theta, stop, detail);
    }

    /** H ← H + c·a bᵀ as a k = 1 gemm. */
    private void rank1(DArray a, DArray b, double c) {
        be.gemm(false, false, n, n, 1, c, a, 0, 1, b, 0, n, 1.0, hinv, 0, n);
    }

    @Override
    public void close() {
        for (DArray a : new DArray[] {hinv, theta, trial, g, s, y, u, d, e}) {
            a.close();
        }
    }
}
