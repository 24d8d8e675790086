package dev.morse.optim;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * Limited-memory BFGS (Nocedal & Wright Alg 7.4/7.5): the last m pairs (s, y) on the device,
 * the two-loop recursion with H₀ = (sᵀy/yᵀy)·I, and a strong-Wolfe line search. Pairs with
 * yᵀs ≤ 1e-10‖s‖‖y‖ are not stored.
 */
public final class Lbfgs implements AutoCloseable {
    public record Options(StopCriteria stop, int memory, double c1, double c2,
                          int maxEvaluations) {
        public Options {
            if (memory < 1) {
                throw new IllegalArgumentException("l-bfgs: memory must be ≥ 1, got " + memory);
            }
        }

        /** BFGS's line search and floor ({@link Bfgs.Options#of}) with {@code memory} pairs. */
        public static Options of(int iterations, int memory) {
            Bfgs.Options b = Bfgs.Options.of(iterations);
            return new Options(b.stop(), memory, b.c1(), b.c2(), b.maxEvaluations());
        }

        /** As {@link #of(int, int)} with 10 pairs. */
        public static Options of(int iterations) {
            return of(iterations, 10);
        }
    }

    private static final double CURVATURE_SKIP = 1e-10;
    /** The largest step the line search tries (from α0 = 1 by doubling). */
    private static final double MAX_STEP = 1e10;

    private final Objective obj;
    private final Recorder rec;
    private final Options opt;
    private final Backend be;
    private final int n;
    private final int m;
    private final DArray sBlock;
    private final DArray yBlock;
    private final double[] rho;
    private final double[] alphas;
    private DArray theta;
    private DArray trial;
    private final DArray g;
    private final DArray q;
    private final DArray d;

    public Lbfgs(Objective objective, Options options) {
        this.obj = objective;
        this.opt = options;
        this.be = objective.backend();
        this.n = objective.n();
        this.rec = new Recorder("l-bfgs", be, n);
        this.m = options.memory();
        this.sBlock = be.alloc((long) m * n);
        this.yBlock = be.alloc((long) m * n);
        this.rho = new double[m];
        this.alphas = new double[m];
        this.theta = be.alloc(n);
        this.trial = be.alloc(n);
        this.g = be.alloc(n);
        this.q = be.alloc(n);
        this.d = be.alloc(n);
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
        int stored = 0;
        int newest = -1;
        double gamma = 1.0;
        LossAlongDirection merit = new LossAlongDirection(obj);
        for (int k = 1; k <= opt.stop().maxIterations(); k++) {
            StopReason at = Recorder.stopAt(lin, opt.stop().gradNormSqFloor(), true);
            if (at != null) {
                stop = at;
                break;
            }
            be.copy(n, lin.gradient(), 0, g, 0);
            final double f0 = lin.value();
            // two-loop recursion: d = −H g
            be.copy(n, g, 0, q, 0);
            for (int i = 0; i < stored; i++) {
                int j = Math.floorMod(newest - i, m);
                alphas[j] = rho[j] * be.dot(n, sBlock, (long) j * n, q, 0);
                be.axpy(n, -alphas[j], yBlock, (long) j * n, q, 0);
            }
            be.scal(n, gamma, q, 0);
            for (int i = stored - 1; i >= 0; i--) {
                int j = Math.floorMod(newest - i, m);
                double beta = rho[j] * be.dot(n, yBlock, (long) j * n, q, 0);
                be.axpy(n, alphas[j] - beta, sBlock, (long) j * n, q, 0);
            }
            be.axpby(n, -1.0, q, 0, 0.0, d, 0);
            double slope0 = be.dot(n, g, 0, d, 0);
            if (!(slope0 < 0)) {
                stored = 0;
                gamma = 1.0;
                be.axpby(n, -1.0, g, 0, 0.0, d, 0);
                slope0 = be.dot(n, g, 0, d, 0);
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
            int slot = (newest + 1) % m;
            long so = (long) slot * n;
            be.axpby(n, ls.alpha(), d, 0, 0.0, sBlock, so);
            be.copy(n, merit.last().gradient(), 0, yBlock, so);
            be.axpy(n, -1.0, g, 0, yBlock, so);
            final double sy = be.dot(n, sBlock, so, yBlock, so);
            final double yy = be.dot(n, yBlock, so, yBlock, so);
            final double ss = be.dot(n, sBlock, so, sBlock, so);
            if (sy > CURVATURE_SKIP * Math.sqrt(ss * yy)) {
                newest = slot;
                rho[slot] = 1.0 / sy;
                stored = Math.min(stored + 1, m);
                gamma = sy / yy;
            }
            DArray tmp = theta;
            theta = trial;
            trial = tmp;
            lin = merit.last();
            rec.record(k, lin);
        }
        return rec.finish(theta, stop, detail);
    }

    @Override
    public void close() {
        for (DArray a : new DArray[] {sBlock, yBlock, theta, trial, g, q, d}) {
            a.close();
        }
    }
}
