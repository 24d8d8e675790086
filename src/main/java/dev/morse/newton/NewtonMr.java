package dev.morse.newton;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.index.Flatness;
import dev.morse.index.HessianOperator;
import dev.morse.index.HessianRoute;
import dev.morse.krylov.MinresQlp;
import dev.morse.optim.Iterate;
import dev.morse.optim.IterateListener;
import dev.morse.optim.Run;
import dev.morse.optim.RunRecorder;
import dev.morse.optim.StopReason;
import java.util.List;

/**
 * Newton-MR (thesis Algorithm 13, after Roosta, Liu, Xu & Mahoney): at each iterate,
 * p = MINRES-QLP(H, −g) (the minimum-norm least-squares Newton direction), then the
 * backtracking line search of Algorithm 12 on the merit ‖g‖² with sufficient decrease
 * ‖g(θ + αp)‖² ≤ ‖g‖² + 2ραpᵀHg, the unit step checked first with ρ'. After a step the
 * starting α becomes min(1, α/β) (the thesis prints max, a typo). The run stops when θ does
 * not change, at the iteration cap, or when ‖g‖² falls below a floor.
 *
 * <p>The Hessian is assembled per step and applied as a dense matrix, or applied matrix-free
 * through HVPs ({@link HessianOperator.Mode}); both give the same steps up to rounding. With
 * {@code AUTO} the route is the cheaper by measured costs ({@link HessianRoute}): chosen at the
 * first iterate for steps of the solver's cap, revised once after the first solve with its
 * iteration count, and kept in the run ({@link Run#hessianRoute}).
 * Every row of the trace carries r and r_H (Eq 3.36-3.37) of the direction: with shift 0,
 * ‖Hp + g‖ and ‖H(Hp + g)‖ are MINRES-QLP's directly computed ‖r‖ and ‖Ar‖, so they cost
 * nothing beyond ‖H‖_F (exact or Hutchinson's by {@link HessianOperator#exactNorm}, the same on
 * either route).
 *
 * <p>Device memory is allocated at construction; a step allocates nothing.
 */
public final class NewtonMr implements AutoCloseable {

    /**
     * @param maxIterations  Newton steps at most (T)
     * @param alpha          initial step size for the backtracking phase, in (0, 1]
     * @param beta           backtracking factor, in (0, 1)
     * @param rho            sufficient-decrease tolerance of the backtracking phase
     * @param rhoPrime       sufficient-decrease tolerance of the unit-step check
     * @param minStep        ε of Algorithm 12: a step below it counts as 0 (the thesis uses
     *                       the smallest, 0; backtracking also stops once θ + αp == θ)
     * @param gradNormSqFloor stop when ‖g‖² is below this (0: never)
     * @param solver         MINRES-QLP options (shift must be 0; maxit ≤ 0 means N)
     * @param hessian        dense per step, matrix-free, or chosen from measured costs (AUTO)
     */
    public record Options(int maxIterations, double alpha, double beta, double rho, double rhoPrime,
                          double minStep, double gradNormSqFloor, MinresQlp.Options solver,
                          HessianOperator.Mode hessian, boolean flatnessEveryIterate) {
        public Options {
            if (maxIterations < 0) {
                throw new IllegalArgumentException("newton-mr: maxIterations must be ≥ 0, got " + maxIterations);
            }
            if (!(alpha > 0 && alpha <= 1)) {
                throw new IllegalArgumentException("newton-mr: α must be in (0, 1], got " + alpha);
            }
            if (!(beta > 0 && beta < 1)) {
                throw new IllegalArgumentException("newton-mr: β must be in (0, 1), got " + beta);
            }
            if (!(rho > 0 && rho < 1) || !(rhoPrime > 0 && rhoPrime < 1)) {
                throw new IllegalArgumentException("newton-mr: ρ and ρ' must be in (0, 1), got " + rho + ", " + rhoPrime);
            }
            if (!(minStep >= 0) || !(gradNormSqFloor >= 0)) {
                throw new IllegalArgumentException("newton-mr: minStep and gradNormSqFloor must be ≥ 0");
            }
            if (solver.shift() != 0) {
                throw new IllegalArgumentException("newton-mr: the Newton system has no shift (got " + solver.shift() + ")");
            }
        }

        /**
         * The paper's Appendix A.2 defaults for nonlinear networks: α = 0.1, β = 0.5, ρ = 0.1,
         * ρ' = 0.5; MINRES-QLP maxit = N, rtol 5e-4, maxxnorm 1e4, acondlim 1e7, trancond 1e4;
         * 500 iterations; stop below ‖g‖² = 1e-30 (far under any criterion; a spec's default too).
         */
        public static Options defaults() {
            return new Options(500, 0.1, 0.5, 0.1, 0.5, 0.0, 1e-30,
                    MinresQlp.Options.defaults().withRtol(5e-4).withMaxit(0).withMaxxnorm(1e4)
                            .withAcondlim(1e7).withTrancond(1e4),
                    HessianOperator.Mode.AUTO, true);
        }

        /** As {@link #defaults()} with MINRES-QLP rtol 1e-10 (the deep linear autoencoder, Fig 3.2). */
        public static Options linearAutoencoder() {
            Options d = defaults();
            return d.withSolver(d.solver().withRtol(1e-10));
        }

        public Options withMaxIterations(int v) {
            return new Options(v, alpha, beta, rho, rhoPrime, minStep, gradNormSqFloor, solver, hessian, flatnessEveryIterate);
        }

        public Options withGradNormSqFloor(double v) {
            return new Options(maxIterations, alpha, beta, rho, rhoPrime, minStep, v, solver, hessian, flatnessEveryIterate);
        }

        public Options withSolver(MinresQlp.Options v) {
            return new Options(maxIterations, alpha, beta, rho, rhoPrime, minStep, gradNormSqFloor, v, hessian, flatnessEveryIterate);
        }

        public Options withHessian(HessianOperator.Mode v) {
            return new Options(maxIterations, alpha, beta, rho, rhoPrime, minStep, gradNormSqFloor, solver, v, flatnessEveryIterate);
        }

        public Options withLineSearch(double alpha0, double beta0, double rho0, double rhoPrime0) {
            return new Options(maxIterations, alpha0, beta0, rho0, rhoPrime0, minStep, gradNormSqFloor, solver, hessian, flatnessEveryIterate);
        }

        /**
         * r and r_H (thesis Eq 3.36-3.37, with ‖H‖_F) at every iterate (true, the default) or only
         * at the last one, which its classification needs. The steps do not depend on them, so a
         * run is the same either way but for the r, r_H columns of its trace; off, each step saves
         * the Hutchinson estimate of ‖H‖_F (32 HVPs), most of a late step's work.
         */
        public Options withFlatnessEveryIterate(boolean v) {
            return new Options(maxIterations, alpha, beta, rho, rhoPrime, minStep, gradNormSqFloor, solver, hessian, v);
        }

        public Options withMinStep(double v) {
            return new Options(maxIterations, alpha, beta, rho, rhoPrime, v, gradNormSqFloor, solver, hessian, flatnessEveryIterate);
        }
    }

    private final Objective obj;
    private final RunRecorder rec;
    private final Options opt;
    private final Backend be;
    private final int n;
    private final HessianOperator h;
    private final MinresQlp.Workspace ws;
    private DArray theta;
    private DArray trial;
    private final DArray b;
    private final DArray diff;
    private long gradients;
    private Linearization lastTrial;
    private boolean closed;

    public NewtonMr(Objective objective, Options options) {
        this.obj = objective;
        this.opt = options;
        this.be = objective.backend();
        this.n = objective.n();
        this.rec = new RunRecorder("newton-mr", be, n);
        this.h = new HessianOperator(be, n, options.hessian());
        this.ws = new MinresQlp.Workspace(be, n);
        this.theta = be.alloc(n);
        this.trial = be.alloc(n);
        this.b = be.alloc(n);
        this.diff = be.alloc(n);
    }

    /** True when the Hessian is assembled per step (for AUTO: by the last run's route, before any run by N). */
    public boolean denseHessian() {
        return h.isDense();
    }

    /** Replaces AUTO's cost measurement by a fixed model (tests); before the first run. */
    public NewtonMr withRouteProbe(HessianRoute.Probe probe) {
        h.useProbe(probe);
        return this;
    }

    /** Operator applications a solve may take: maxit, or N. */
    private long solveCap() {
        return opt.solver().maxit() <= 0 ? n : opt.solver().maxit();
    }

    public Run run(double[] theta0) {
        return run(theta0, IterateListener.NONE);
    }

    /** A run whose every iterate θ_t is shown to {@code listener} before its step. */
    public Run run(double[] theta0, IterateListener listener) {
        rec.upload(theta0, theta);
        return runFromTheta(listener);
    }

    public Run run(DArray theta0, long off) {
        be.copy(n, theta0, off, theta, 0);
        return runFromTheta(IterateListener.NONE);
    }

    private Run runFromTheta(IterateListener listener) {
        if (closed) {
            throw new IllegalStateException("newton-mr used after close");
        }
        rec.start(listener);
        final long hvp0 = h.hvpCount();
        gradients = 0;
        rec.warnNonSmooth(obj, "Newton directions and the index are");
        Linearization lin = linearize(theta);
        double alphaStart = opt.alpha();
        HessianRoute.Decision route = null;
        StopReason stop;
        int t = 0;
        while (true) {
            rec.show(t, lin);
            final double loss = lin.value();
            final double s = lin.gradNormSq();
            final StopReason at = RunRecorder.stopAt(lin, opt.gradNormSqFloor(), true); // g = 0 ends any run
            if (at != null) {
                rec.add(row(t, loss, s, Double.NaN, null, 0, Double.NaN, Double.NaN, Double.NaN, hvp0));
                stop = at;
                break;
            }
            if (route == null) {
                route = h.choose(lin, solveCap()); // AUTO: measured once, for steps of the cap
            }
            // p ← MR-QLP(H, −g)   (Alg 13 line 8)
            h.bind(lin);
            be.axpby(n, -1.0, lin.gradient(), 0, 0.0, b, 0);
            MinresQlp.Stats st = MinresQlp.solve(h, b, 0, opt.solver(), ws);
            final DArray p = ws.x();
            final double gNorm = Math.sqrt(s);
            final boolean last = t >= opt.maxIterations();
            // r, r_H need ‖H‖_F (Hutchinson above N = 256): at every iterate, or at the last only
            Flatness fl = opt.flatnessEveryIterate() || last
                    ? Flatness.of(st.rnorm(), st.Arnorm(), st.xnorm(), gNorm, h.frobeniusNorm()) : null;
            if (t == 0) {
                route = h.revise(route, st.iterations()); // from the next binding on
            }
            if (last) {
                // the cap: no step, but the last iterate's r and r_H for its classification
                rec.add(row(t, loss, s, Double.NaN, st.flag(), st.iterations(), fl.r(), fl.rH(), st.relres(), hvp0));
                stop = StopReason.ITERATION_CAP;
                break;
            }
            // pᵀHg = gᵀ(−g − r) with r = −g − Hp MINRES-QLP's residual
            final double slope = -s - be.dot(n, lin.gradient(), 0, ws.residual(), 0);
            // α ← BTLS(...)   (Alg 13 line 9, Alg 12)
            final double alpha = backtrack(p, s, slope, alphaStart);
            final boolean stuck = alpha == 0 || noMove(p, alpha);
            if (stuck && fl == null) {
                // the last iterate after all: its H again (the line search moved the linearization on)
                h.bind(linearize(theta));
                fl = Flatness.of(st.rnorm(), st.Arnorm(), st.xnorm(), gNorm, h.frobeniusNorm());
            }
            rec.add(row(t, loss, s, alpha, st.flag(), st.iterations(), fl == null ? Double.NaN : fl.r(),
                    fl == null ? Double.NaN : fl.rH(), st.relres(), hvp0));
            if (stuck) {
                stop = StopReason.THETA_UNCHANGED; // θ_{t+1} == θ_t (Alg 13 line 11)
                break;
            }
            DArray tmp = theta; // θ_{t+1} ← θ_t + αp, already evaluated in trial
            theta = trial;
            trial = tmp;
            lin = lastTrial;
            alphaStart = Math.min(1.0, alpha / opt.beta()); // Alg 13 line 14 (min, not max)
            t++;
        }
        return rec.finish(theta, stop, route);
    }

    private Linearization linearize(DArray at) {
        gradients++;
        return obj.at(at, 0);
    }

    /** ‖g(θ + αp)‖² into lastTrial (θ + αp kept in trial); NaN when not finite. */
    private double merit(DArray p, double alpha) {
        be.copy(n, theta, 0, trial, 0);
        be.axpy(n, alpha, p, 0, trial, 0);
        lastTrial = linearize(trial);
        return lastTrial.finite() ? lastTrial.gradNormSq() : Double.NaN;
    }

    /** True when θ + αp rounds to θ in every entry. */
    private boolean noMove(DArray p, double alpha) {
        be.copy(n, theta, 0, diff, 0);
        be.axpy(n, alpha, p, 0, diff, 0);
        be.axpy(n, -1.0, theta, 0, diff, 0);
        return be.nrm2(n, diff, 0) == 0;
    }

    /** Algorithm 12. Returns the accepted α (0 if none); lastTrial then holds θ + αp. */
    private double backtrack(DArray p, double s, double slope, double alphaStart) {
        // CheckConvergence(1, ρ') first (lines 10-14)
        final double sUnit = merit(p, 1.0);
        if (sUnit <= s + 2 * opt.rhoPrime() * slope) {
            return 1.0;
        }
        double alpha = alphaStart;
        while (true) {
            final double sTrial = alpha == 1.0 ? sUnit : merit(p, alpha);
            if (sTrial <= s + 2 * opt.rho() * alpha * slope) {
                return alpha; // lastTrial is the linearization at θ + αp
            }
            alpha *= opt.beta();
            if (alpha < opt.minStep() || alpha == 0 || noMove(p, alpha)) {
                return 0.0;
            }
        }
    }

    private Iterate row(int t, double loss, double s, double alpha, MinresQlp.Flag flag, int iters,
                        double r, double rH, double relres, long hvp0) {
        return new Iterate(t, loss, s, alpha, flag, iters, r, rH, Double.NaN, List.of(), rec.seconds(),
                h.hvpCount() - hvp0, gradients, relres);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            h.close();
            ws.close();
            theta.close();
            trial.close();
            b.close();
            diff.close();
        }
    }
}
