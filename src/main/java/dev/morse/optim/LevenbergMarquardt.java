package dev.morse.optim;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.LinalgStatus;

/**
 * Exact Newton with Levenberg-Marquardt damping (paper 000): with the full Hessian H,
 * solve (H + εI)Δθ = −g by a dense eigendecomposition H = QΛQᵀ (Δθ = −Q(Λ + εI)⁻¹Qᵀg, so a
 * rejected ε is retried without refactorizing). A step is accepted when the merit decreases,
 * and ε shrinks by {@code decrease}; otherwise ε grows by {@code increase}. The merit is the
 * loss (classical LM: a descent method) or ‖g‖² (exact Newton as a root finder for ∇L = 0,
 * which, like any Newton method, is attracted by saddles as much as by minima). The
 * eigenvalues of the last Hessian are kept ({@link #lastSpectrum()}).
 */
public final class LevenbergMarquardt implements AutoCloseable {
    /**
     * @param eps0       initial damping
     * @param increase   factor on ε after a rejected step (> 1)
     * @param decrease   factor on ε after an accepted step (in (0, 1])
     * @param epsMin     ε never goes below this
     * @param epsMax     the run stops when ε would exceed this
     */
    public enum Merit { LOSS, GRAD_NORM }

    public record Options(StopCriteria stop, double eps0, double increase, double decrease,
                          double epsMin, double epsMax, Merit merit) {
        public Options {
            if (!(eps0 >= 0) || !(increase > 1) || !(decrease > 0 && decrease <= 1) || !(epsMin >= 0)
                    || !(epsMax > eps0)) {
                throw new IllegalArgumentException("levenberg-marquardt: invalid damping schedule ε0 " + eps0
                        + ", ×" + increase + ", ×" + decrease + ", [" + epsMin + ", " + epsMax + "]");
            }
        }

        /**
         * ε0 = 1e-3, ×10 on rejection, ×0.1 on acceptance, ε ∈ [1e-12, 1e12] (our choice), the
         * gradient-norm merit (exact Newton as a root finder of ∇L, as paper 000 used it).
         */
        public static Options of(int iterations) {
            return new Options(StopCriteria.iterations(iterations), 1e-3, 10, 0.1, 1e-12, 1e12,
                    Merit.GRAD_NORM);
        }

        public Options withMerit(Merit m) {
            return new Options(stop, eps0, increase, decrease, epsMin, epsMax, m);
        }
    }

    private final Objective obj;
    private final RunRecorder rec;
    private final Options opt;
    private final Backend be;
    private final int n;
    private final DArray hq;
    private final DArray w;
    private final DArray c;
    private final DArray step;
    private final DArray theta;
    private final DArray trial;
    private final double[] lam;
    private final double[] ch;
    private final double[] qg;
    private double[] lastSpectrum = new double[0];

    public LevenbergMarquardt(Objective objective, Options options) {
        this.obj = objective;
        this.opt = options;
        this.be = objective.backend();
        this.n = objective.n();
        this.rec = new RunRecorder("levenberg-marquardt", be, n);
        this.hq = be.alloc((long) n * n);
        this.w = be.alloc(n);
        this.c = be.alloc(n);
        this.step = be.alloc(n);
        this.theta = be.alloc(n);
        this.trial = be.alloc(n);
        this.lam = new double[n];
        this.ch = new double[n];
        this.qg = new double[n];
    }

    /** Eigenvalues (ascending) of the Hessian at the last iterate that was factorized. */
    public double[] lastSpectrum() {
        return lastSpectrum.clone();
    }

    public Run run(double[] theta0) {
        return run(theta0, IterateListener.NONE);
    }

    /** A run whose every iterate is shown to {@code listener} once reached. */
    public Run run(double[] theta0, IterateListener listener) {
        rec.start(theta0, theta, listener);
        Linearization lin = obj.at(theta, 0);
        rec.record(0, lin);
        StopReason stop = StopReason.ITERATION_CAP;
        String detail = null;
        double eps = opt.eps0();
        for (int k = 1; k <= opt.stop().maxIterations(); k++) {
            StopReason at = RunRecorder.stopAt(lin, opt.stop().gradNormSqFloor(), true);
            if (at != null) {
                stop = at;
                break;
            }
            final double f0 = opt.merit() == Merit.LOSS ? lin.value() : lin.gradNormSq();
            lin.hessian(hq, 0);
            // c = Qᵀg with the eigenvectors as rows of hq after syevd
            be.copy(n, lin.gradient(), 0, step, 0);
            LinalgStatus st = be.syevd(n, hq, 0, w, 0, true);
            if (!st.ok()) {
                stop = StopReason.THETA_UNCHANGED;
                detail = "eigendecomposition failed: " + st;
                break;
            }
            be.download(w, 0, lam, 0, n);
            lastSpectrum = lam.clone();
            be.gemv(false, n, n, 1.0, hq, 0, n, step, 0, 0.0, c, 0);
            be.download(c, 0, qg, 0, n);
            boolean accepted = false;
            double fNew;
            while (!accepted) {
                // Δθ = −Q (Λ + εI)⁻¹ Qᵀ g
                for (int i = 0; i < n; i++) {
                    ch[i] = -qg[i] / (lam[i] + eps);
                }
                be.upload(ch, 0, step, 0, n);
                be.copy(n, theta, 0, trial, 0);
                be.gemv(true, n, n, 1.0, hq, 0, n, step, 0, 1.0, trial, 0);
                if (opt.merit() == Merit.LOSS) {
                    fNew = obj.value(trial, 0);
                } else {
                    Linearization l2 = obj.at(trial, 0);
                    fNew = l2.finite() ? l2.gradNormSq() : Double.NaN;
                }
                if (fNew < f0) {
                    accepted = true;
                    eps = Math.max(eps * opt.decrease(), opt.epsMin());
                } else {
                    eps *= opt.increase();
                    if (eps > opt.epsMax()) {
                        break;
                    }
                }
            }
            if (!accepted) {
                stop = StopReason.THETA_UNCHANGED;
                detail = "damping limit";
                lin = obj.at(theta, 0); // restore the linearization at the last iterate
                break;
            }
            be.copy(n, trial, 0, theta, 0);
            lin = obj.at(theta, 0);
            rec.record(k, lin);
        }
        return rec.finishOptimizer(theta, stop, detail);
    }

    @Override
    public void close() {
        for (DArray a : new DArray[] {hq, w, c, step, theta, trial}) {
            a.close();
        }
    }
}
