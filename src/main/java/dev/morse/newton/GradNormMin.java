package dev.morse.newton;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.optim.Iterate;
import dev.morse.optim.IterateListener;
import dev.morse.optim.LineSearch;
import dev.morse.optim.Run;
import dev.morse.optim.RunRecorder;
import dev.morse.optim.StopReason;
import java.util.List;

/**
 * Gradient-norm minimization (thesis Algorithm 2): gradient descent on G(θ) = ½‖∇L(θ)‖²,
 * whose gradient is ∇G = H·g (Theorem 2.1, one HVP), with a line search on G satisfying the
 * strong Wolfe conditions (the thesis's Table 3.1 note: "Wolfe conditions"; Nocedal & Wright
 * Alg 3.5-3.6, shared with BFGS and L-BFGS, {@link LineSearch#strongWolfe}) or with Armijo
 * backtracking. After an Armijo step the next search starts at α/β; after a Wolfe step at α.
 *
 * <p>The authors' code (autocrit's BackTrackingLineSearchOptimizer, criterion "wolfe") did
 * neither exactly: it backtracked from α until sufficient decrease and the weak curvature
 * condition held together, and gave up (a zero step, ending the run) when they did not.
 */
public final class GradNormMin implements AutoCloseable {

    /** Armijo backtracking, or a step satisfying the strong Wolfe conditions. */
    public enum Search { ARMIJO, WOLFE }

    /** The largest step the Wolfe search tries. */
    private static final double MAX_STEP = 1e10;

    /**
     * @param alpha0          first trial step
     * @param beta            backtracking factor (Armijo)
     * @param c1              sufficient-decrease constant
     * @param c2              curvature constant (Wolfe)
     * @param maxEvaluations  merit evaluations per line search
     */
    public record Options(int maxIterations, Search search, double alpha0, double beta, double c1, double c2,
                          int maxEvaluations, double gradNormSqFloor) {
        public Options {
            if (maxIterations < 0 || !(alpha0 > 0) || !(beta > 0 && beta < 1) || !(c1 > 0 && c1 < 1)
                    || !(c2 > c1 && c2 < 1) || maxEvaluations < 1 || !(gradNormSqFloor >= 0)) {
                throw new IllegalArgumentException("gradient-norm minimization: invalid options " + maxIterations
                        + ", α0 " + alpha0 + ", β " + beta + ", c1 " + c1 + ", c2 " + c2 + ", evals " + maxEvaluations);
            }
        }

        /** Armijo backtracking, α0 = 1, β = 0.5, c1 = 1e-4, c2 = 0.9 (Wolfe), 25000 iterations (thesis Fig 3.2). */
        public static Options defaults() {
            return new Options(25000, Search.ARMIJO, 1.0, 0.5, 1e-4, 0.9, 60, 0.0);
        }

        public Options withSearch(Search v) {
            return new Options(maxIterations, v, alpha0, beta, c1, c2, maxEvaluations, gradNormSqFloor);
        }

        public Options withMaxIterations(int v) {
            return new Options(v, search, alpha0, beta, c1, c2, maxEvaluations, gradNormSqFloor);
        }

        public Options withGradNormSqFloor(double v) {
            return new Options(maxIterations, search, alpha0, beta, c1, c2, maxEvaluations, v);
        }
    }

    private final Objective obj;
    private final RunRecorder rec;
    private final Options opt;
    private final Backend be;
    private final int n;
    private DArray theta;
    private DArray trial;
    private final DArray d;
    private final DArray hg;
    private final DArray diff;
    private long hvps;
    private long gradients;
    private Linearization lastTrial;
    private boolean closed;

    public GradNormMin(Objective objective, Options options) {
        this.obj = objective;
        this.opt = options;
        this.be = objective.backend();
        this.n = objective.n();
        this.rec = new RunRecorder("gradient-norm-minimization", be, n);
        this.theta = be.alloc(n);
        this.trial = be.alloc(n);
        this.d = be.alloc(n);
        this.hg = be.alloc(n);
        this.diff = be.alloc(n);
    }

    public Run run(double[] theta0) {
        return run(theta0, IterateListener.NONE);
    }

    /** A run whose every iterate θ_t is shown to {@code listener} before its step. */
    public Run run(double[] theta0, IterateListener listener) {
        if (closed) {
            throw new IllegalStateException("gradient-norm minimization used after close");
        }
        rec.start(theta0, theta, listener);
        hvps = 0;
        gradients = 1;
        rec.warnNonSmooth(obj, "H·g is");
        Linearization lin = obj.at(theta, 0);
        double alphaStart = opt.alpha0();
        StopReason stop;
        int t = 0;
        LineSearch.Merit merit = new LineSearch.Merit() {
            @Override
            public double value(double a) {
                be.copy(n, theta, 0, trial, 0);
                be.axpy(n, a, d, 0, trial, 0);
                gradients++;
                lastTrial = obj.at(trial, 0);
                return lastTrial.finite() ? 0.5 * lastTrial.gradNormSq() : Double.NaN;
            }

            @Override
            public double slope(double a) {
                // ∇G(θ + αd)ᵀd = (H'g')ᵀd
                lastTrial.hvp(lastTrial.gradient(), 0, hg, 0);
                hvps++;
                return be.dot(n, hg, 0, d, 0);
            }

            @Override
            public boolean noMove(double a) {
                be.copy(n, theta, 0, diff, 0);
                be.axpy(n, a, d, 0, diff, 0);
                be.axpy(n, -1.0, theta, 0, diff, 0);
                return be.nrm2(n, diff, 0) == 0;
            }
        };
        while (true) {
            rec.show(t, lin);
            final double loss = lin.value();
            final double s = lin.gradNormSq();
            StopReason at = RunRecorder.stopAt(lin, opt.gradNormSqFloor(), true); // g = 0 ends any run
            if (at == null && t >= opt.maxIterations()) {
                at = StopReason.ITERATION_CAP;
            }
            if (at != null) {
                rec.add(row(t, loss, s, Double.NaN));
                stop = at;
                break;
            }
            // d = −∇G = −H g (Alg 2 line 6)
            lin.hvp(lin.gradient(), 0, hg, 0);
            hvps++;
            be.axpby(n, -1.0, hg, 0, 0.0, d, 0);
            final double slope0 = -be.dot(n, hg, 0, hg, 0);
            if (slope0 == 0) {
                rec.add(row(t, loss, s, 0.0)); // H g = 0: a gradient-flat (or critical) point
                stop = StopReason.THETA_UNCHANGED;
                break;
            }
            LineSearch.Result ls = opt.search() == Search.ARMIJO
                    ? LineSearch.armijo(merit, 0.5 * s, slope0, alphaStart, opt.beta(), opt.c1(), 0.0, opt.maxEvaluations())
                    : LineSearch.strongWolfe(merit, 0.5 * s, slope0, alphaStart, opt.c1(), opt.c2(), MAX_STEP,
                    opt.maxEvaluations());
            rec.add(row(t, loss, s, ls.alpha()));
            if (ls.alpha() == 0) {
                stop = StopReason.THETA_UNCHANGED;
                break;
            }
            if (!ls.atAlpha()) {
                merit.value(ls.alpha());
            }
            DArray tmp = theta;
            theta = trial;
            trial = tmp;
            lin = lastTrial;
            alphaStart = opt.search() == Search.ARMIJO ? ls.alpha() / opt.beta() : ls.alpha();
            t++;
        }
        return rec.finish(theta, stop, null);
    }

    private Iterate row(int t, double loss, double s, double alpha) {
        return new Iterate(t, loss, s, alpha, null, 0, Double.NaN, Double.NaN, Double.NaN, List.of(), rec.seconds(),
                hvps, gradients);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            theta.close();
            trial.close();
            d.close();
            hg.close();
            diff.close();
        }
    }
}
