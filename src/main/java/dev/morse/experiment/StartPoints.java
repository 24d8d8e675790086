package dev.morse.experiment;

import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The start points of a batch, the same for every method (run r of each method starts from
 * point r), made as the papers do: train the network with full-batch gradient descent (or
 * with momentum) from seeded initializations, keep the iterates, and pick points uniformly
 * in loss value (or in iteration), each iterate at most once while any is left; then add
 * N(0, σ²) noise to a fraction of them
 * (thesis §3.2.3, paper A.2). Analytic problems draw points uniformly from a box.
 */
public final class StartPoints {
    /** At most this many θ-values are kept per trajectory (evenly spaced), to bound memory. */
    static final long MAX_SNAPSHOT_WORDS = 50_000_000L;

    /** A start point and where it came from. */
    public record StartPoint(double[] theta, int trajectory, int step, double loss, boolean noised) {
    }

    private StartPoints() {
    }

    static long seed(long specSeed, String what, int i) {
        return Job.seed(specSeed ^ what.hashCode(), 7919, i);
    }

    public static List<StartPoint> make(Spec spec, Problem problem, Backend backend, int count) {
        Spec.StartSpec s = spec.start();
        List<StartPoint> out = new ArrayList<>();
        int n = problem.nParams();
        switch (s.kind()) {
            case UNIFORM: {
                double[] lo = s.box()[0];
                double[] hi = s.box()[1];
                if (lo.length != n) {
                    throw new SpecException("start.low", "has " + lo.length + " entries but the problem has N = " + n);
                }
                for (int r = 0; r < count; r++) {
                    Random rnd = new Random(seed(spec.seed(), "uniform", r));
                    double[] th = new double[n];
                    for (int i = 0; i < n; i++) {
                        th[i] = lo[i] + (hi[i] - lo[i]) * rnd.nextDouble();
                    }
                    out.add(new StartPoint(th, -1, 0, Double.NaN, false));
                }
                return noise(spec, out);
            }
            case INIT: {
                for (int r = 0; r < count; r++) {
                    double[] th = problem.init(seed(spec.seed(), "init", r), s);
                    if (s.biasShift() != 0) {
                        problem.shiftHiddenBiases(th, s.biasShift());
                    }
                    out.add(new StartPoint(th, -1, 0, Double.NaN, false));
                }
                return noise(spec, out);
            }
            default:
                return noise(spec, fromTrajectories(spec, problem, backend, count));
        }
    }

    private static List<StartPoint> fromTrajectories(Spec spec, Problem problem, Backend backend, int count) {
        Spec.StartSpec s = spec.start();
        int n = problem.nParams();
        int stride = (int) Math.max(1, ((long) (s.steps() + 1) * n * s.trajectories() + MAX_SNAPSHOT_WORDS - 1)
                / MAX_SNAPSHOT_WORDS);
        List<double[]> thetas = new ArrayList<>();
        List<double[]> meta = new ArrayList<>(); // trajectory, step, loss
        try (Plan plan = Plan.compile(problem.program(), backend); DArray th = backend.alloc(n);
             DArray vel = backend.alloc(n)) {
            for (int t = 0; t < s.trajectories(); t++) {
                double[] h = problem.init(seed(spec.seed(), "trajectory", t), s);
                backend.upload(h, 0, th, 0, n);
                backend.fill(n, 0.0, vel, 0);
                for (int step = 0; step <= s.steps(); step++) {
                    Linearization lin = plan.at(th, 0);
                    double loss = lin.value();
                    if (!lin.finite()) {
                        break; // a diverged trajectory contributes the points before it diverged
                    }
                    if (step % stride == 0 || step == s.steps()) {
                        double[] snap = new double[n];
                        backend.download(th, 0, snap, 0, n);
                        thetas.add(snap);
                        meta.add(new double[] {t, step, loss});
                    }
                    if (step == s.steps()) {
                        break;
                    }
                    // GD: θ ← θ − η∇L;  momentum: v ← μv − η∇L, θ ← θ + v
                    backend.axpby(n, -s.lr(), lin.gradient(), 0, s.momentum(), vel, 0);
                    backend.axpy(n, 1.0, vel, 0, th, 0);
                }
            }
        }
        if (thetas.isEmpty()) {
            throw new IllegalStateException("every start-point trajectory diverged at its first step");
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] m : meta) {
            lo = Math.min(lo, m[2]);
            hi = Math.max(hi, m[2]);
        }
        List<StartPoint> out = new ArrayList<>();
        // Without replacement: a run never starts from an iterate another run already has (the
        // nearest free one is taken instead), so no two runs repeat each other; only when there
        // are more runs than iterates do the iterates come round again.
        boolean[] taken = new boolean[thetas.size()];
        int free = thetas.size();
        for (int r = 0; r < count; r++) {
            if (free == 0) {
                java.util.Arrays.fill(taken, false);
                free = thetas.size();
            }
            Random rnd = new Random(seed(spec.seed(), "select", r));
            int pick = -1;
            if (s.select() == Spec.StartSpec.Select.ITERATION) {
                int want = rnd.nextInt(thetas.size());
                int best = Integer.MAX_VALUE;
                for (int i = 0; i < thetas.size(); i++) {
                    if (!taken[i] && Math.abs(i - want) < best) {
                        best = Math.abs(i - want);
                        pick = i;
                    }
                }
            } else {
                // uniform in loss value: a target loss uniform on [min, max], the nearest free iterate
                double target = lo + (hi - lo) * rnd.nextDouble();
                double best = Double.POSITIVE_INFINITY;
                for (int i = 0; i < meta.size(); i++) {
                    double d = Math.abs(meta.get(i)[2] - target);
                    if (!taken[i] && d < best) {
                        best = d;
                        pick = i;
                    }
                }
            }
            taken[pick] = true;
            free--;
            double[] m = meta.get(pick);
            out.add(new StartPoint(thetas.get(pick).clone(), (int) m[0], (int) m[1], m[2], false));
        }
        return out;
    }

    /** Adds N(0, σ²) to every coordinate of a seeded fraction of the points. */
    private static List<StartPoint> noise(Spec spec, List<StartPoint> pts) {
        Spec.StartSpec s = spec.start();
        if (s.noiseVariance() <= 0 || s.noiseFraction() <= 0) {
            return pts;
        }
        double sd = Math.sqrt(s.noiseVariance());
        List<StartPoint> out = new ArrayList<>();
        for (int r = 0; r < pts.size(); r++) {
            StartPoint p = pts.get(r);
            Random rnd = new Random(seed(spec.seed(), "noise", r));
            if (rnd.nextDouble() < s.noiseFraction()) {
                double[] th = p.theta().clone();
                for (int i = 0; i < th.length; i++) {
                    th[i] += sd * rnd.nextGaussian();
                }
                out.add(new StartPoint(th, p.trajectory(), p.step(), p.loss(), true));
            } else {
                out.add(p);
            }
        }
        return out;
    }
}
