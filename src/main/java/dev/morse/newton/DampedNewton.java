package dev.morse.newton;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.index.Flatness;
import dev.morse.index.HessianOperator;
import dev.morse.index.HessianRoute;
import dev.morse.krylov.MinresQlp;
import dev.morse.optim.Candidate;
import dev.morse.optim.Iterate;
import dev.morse.optim.IterateListener;
import dev.morse.optim.Run;
import dev.morse.optim.RunRecorder;
import dev.morse.optim.StopReason;
import java.util.ArrayList;
import java.util.List;

/**
 * Minimum-residual damped Newton (thesis Algorithm 11): at each iterate, for every γ in a set
 * Γ, the minimum-norm least-squares solution p_γ of (H + γI)p = −g by MINRES-QLP (shift −γ);
 * then θ ← θ + p* with p* the candidate of smallest ‖g(θ + p_γ)‖². No line search.
 *
 * <p>All candidates are solved first, while the linearization at θ is valid, and kept in a
 * K×N device block; only then is each one evaluated. (The reference code in the wild
 * captured the loop variable wrongly and used the last γ for every candidate; each row of
 * our trace lists every γ with its own solve and merit.)
 */
public final class DampedNewton implements AutoCloseable {

    /**
     * @param maxIterations    steps at most (T)
     * @param gammas           the damping set Γ ⊂ [0, ∞), non-empty
     * @param gradNormSqFloor  stop when ‖g‖² is below this (0: never)
     * @param solver           MINRES-QLP options (its shift is set per γ)
     * @param hessian          dense per step, matrix-free, or chosen from measured costs (AUTO, as in
     *                         {@link NewtonMr}: m = every γ's solve and its two r, r_H products)
     */
    public record Options(int maxIterations, double[] gammas, double gradNormSqFloor, MinresQlp.Options solver,
                          HessianOperator.Mode hessian) {
        public Options {
            if (maxIterations < 0) {
                throw new IllegalArgumentException("damped newton: maxIterations must be ≥ 0, got " + maxIterations);
            }
            if (gammas.length == 0) {
                throw new IllegalArgumentException("damped newton: the damping set Γ is empty");
            }
            gammas = gammas.clone();
            for (double g : gammas) {
                if (!(g >= 0) || Double.isInfinite(g)) {
                    throw new IllegalArgumentException("damped newton: each γ must be finite and ≥ 0, got " + g);
                }
            }
            if (!(gradNormSqFloor >= 0)) {
                throw new IllegalArgumentException("damped newton: gradNormSqFloor must be ≥ 0");
            }
        }

        @Override
        public double[] gammas() {
            return gammas.clone();
        }

        /**
         * Γ = {0, 1e-4, 1e-3, 1e-2, 1e-1, 1} (our choice: the thesis does not list its set), the
         * MINRES-QLP settings of Newton-MR (rtol 5e-4, maxit N, maxxnorm 1e4, acondlim 1e7,
         * trancond 1e4), 500 iterations.
         */
        public static Options defaults() {
            return new Options(500, new double[] {0, 1e-4, 1e-3, 1e-2, 1e-1, 1}, 0.0,
                    NewtonMr.Options.defaults().solver(), HessianOperator.Mode.AUTO);
        }

        /** As {@link #defaults()} with Newton-MR's MINRES-QLP settings for the deep linear autoencoder (rtol 1e-10). */
        public static Options linearAutoencoder() {
            return defaults().withSolver(NewtonMr.Options.linearAutoencoder().solver());
        }

        public Options withGammas(double... v) {
            return new Options(maxIterations, v, gradNormSqFloor, solver, hessian);
        }

        public Options withMaxIterations(int v) {
            return new Options(v, gammas, gradNormSqFloor, solver, hessian);
        }

        public Options withSolver(MinresQlp.Options v) {
            return new Options(maxIterations, gammas, gradNormSqFloor, v, hessian);
        }

        public Options withHessian(HessianOperator.Mode v) {
            return new Options(maxIterations, gammas, gradNormSqFloor, solver, v);
        }

        public Options withGradNormSqFloor(double v) {
            return new Options(maxIterations, gammas, v, solver, hessian);
        }
    }

    private final Objective obj;
    private final RunRecorder rec;
    private final Options opt;
    private final Backend be;
    private final int n;
    private final int k;
    private final HessianOperator h;
    private final MinresQlp.Workspace ws;
    private final DArray theta;
    private final DArray trial;
    private final DArray g;
    private final DArray b;
    private final DArray cand;
    private final DArray res;
    private final DArray hres;
    private long gradients;
    private boolean closed;

    public DampedNewton(Objective objective, Options options) {
        this.obj = objective;
        this.opt = options;
        this.be = objective.backend();
        this.n = objective.n();
        this.rec = new RunRecorder("damped-newton", be, n);
        this.k = options.gammas().length;
        this.h = new HessianOperator(be, n, options.hessian());
        this.ws = new MinresQlp.Workspace(be, n);
        this.theta = be.alloc(n);
        this.trial = be.alloc(n);
        this.g = be.alloc(n);
        this.b = be.alloc(n);
        this.cand = be.alloc((long) k * n);
        this.res = be.alloc(n);
        this.hres = be.alloc(n);
    }

    public Run run(double[] theta0) {
        return run(theta0, IterateListener.NONE);
    }

    /** A run whose every iterate θ_t is shown to {@code listener} before its step. */
    public Run run(double[] theta0, IterateListener listener) {
        if (closed) {
            throw new IllegalStateException("damped newton used after close");
        }
        rec.start(theta0, theta, listener);
        final long hvp0 = h.hvpCount();
        gradients = 0;
        final double[] gammas = opt.gammas();
        rec.warnNonSmooth(obj, "Newton directions and the index are");
        HessianRoute.Decision route = null;
        StopReason stop;
        int t = 0;
        while (true) {
            gradients++;
            Linearization lin = obj.at(theta, 0); // line 4: g ← ∇f(θ_t)
            rec.show(t, lin);
            final double loss = lin.value();
            final double s = lin.gradNormSq();
            final StopReason at = RunRecorder.stopAt(lin, opt.gradNormSqFloor(), true); // g = 0 ends any run
            if (at != null) {
                rec.add(row(t, loss, s, Double.NaN, null, 0, Double.NaN, Double.NaN, Double.NaN, List.of(), hvp0,
                        Double.NaN));
                stop = at;
                break;
            }
            be.copy(n, lin.gradient(), 0, g, 0);
            be.axpby(n, -1.0, g, 0, 0.0, b, 0);
            if (route == null) {
                long cap = opt.solver().maxit() <= 0 ? n : opt.solver().maxit();
                route = h.choose(lin, k * (cap + 2)); // AUTO: measured once
            }
            h.bind(lin);
            if (t >= opt.maxIterations()) {
                // the cap: no step, but r and r_H of the undamped direction for classification
                MinresQlp.Stats st = MinresQlp.solve(h, b, 0, opt.solver().withShift(0), ws);
                Flatness f = Flatness.of(st.rnorm(), st.Arnorm(), st.xnorm(), Math.sqrt(s), h.frobeniusNorm());
                rec.add(row(t, loss, s, Double.NaN, st.flag(), st.iterations(), f.r(), f.rH(), Double.NaN, List.of(),
                        hvp0, Double.NaN));
                stop = StopReason.ITERATION_CAP;
                break;
            }
            // lines 6-11: for each γ, the min-norm solution of (H + γI)p = −g
            MinresQlp.Stats[] stats = new MinresQlp.Stats[k];
            Flatness[] flat = new Flatness[k];
            for (int j = 0; j < k; j++) {
                stats[j] = MinresQlp.solve(h, b, 0, opt.solver().withShift(-gammas[j]), ws);
                be.copy(n, ws.x(), 0, cand, (long) j * n);
                flat[j] = Flatness.compute(h, cand, (long) j * n, g, 0, res, hres); // r, r_H for H itself
            }
            if (t == 0) {
                long m = 0;
                for (MinresQlp.Stats st : stats) {
                    m += st.iterations() + 2;
                }
                route = h.revise(route, m); // from the next binding on
            }
            // line 12: p* = argmin_γ ‖∇f(θ_t + p_γ)‖²  (after this, lin is stale)
            double[] merit = new double[k];
            int best = -1;
            for (int j = 0; j < k; j++) {
                be.copy(n, theta, 0, trial, 0);
                be.axpy(n, 1.0, cand, (long) j * n, trial, 0);
                gradients++;
                Linearization l2 = obj.at(trial, 0);
                merit[j] = l2.finite() ? l2.gradNormSq() : Double.NaN;
                if (!Double.isNaN(merit[j]) && (best < 0 || merit[j] < merit[best])) {
                    best = j;
                }
            }
            List<Candidate> cands = new ArrayList<>(k);
            for (int j = 0; j < k; j++) {
                cands.add(new Candidate(gammas[j], merit[j], stats[j].flag(), stats[j].iterations(),
                        stats[j].xnorm(), flat[j].r(), flat[j].rH()));
            }
            if (best < 0) {
                rec.add(row(t, loss, s, 0.0, null, 0, Double.NaN, Double.NaN, Double.NaN, cands, hvp0, Double.NaN));
                stop = StopReason.NON_FINITE;
                break;
            }
            // line 13: θ_{t+1} ← θ_t + p*
            be.copy(n, theta, 0, trial, 0);
            be.axpy(n, 1.0, cand, (long) best * n, theta, 0);
            be.axpy(n, -1.0, theta, 0, trial, 0);
            final boolean moved = be.nrm2(n, trial, 0) != 0;
            rec.add(row(t, loss, s, moved ? 1.0 : 0.0, stats[best].flag(), stats[best].iterations(), flat[best].r(),
                    flat[best].rH(), gammas[best], cands, hvp0, stats[best].relres()));
            if (!moved) {
                stop = StopReason.THETA_UNCHANGED;
                break;
            }
            t++;
        }
        return rec.finish(theta, stop, route);
    }

    /** Replaces AUTO's cost measurement by a fixed model (tests); before the first run. */
    public DampedNewton withRouteProbe(HessianRoute.Probe probe) {
        h.useProbe(probe);
        return this;
    }

    private Iterate row(int t, double loss, double s, double alpha, MinresQlp.Flag flag, int iters, double r,
                        double rH, double gamma, List<Candidate> cands, long hvp0, double relres) {
        return new Iterate(t, loss, s, alpha, flag, iters, r, rH, gamma, cands, rec.seconds(), h.hvpCount() - hvp0,
                gradients, relres);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            h.close();
            ws.close();
            theta.close();
            trial.close();
            g.close();
            b.close();
            cand.close();
            res.close();
            hres.close();
        }
    }
}
