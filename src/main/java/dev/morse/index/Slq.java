package dev.morse.index;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.krylov.Lanczos;
import dev.morse.krylov.SymmetricOperator;
import java.util.ArrayList;
import java.util.List;

/**
 * Stochastic Lanczos quadrature (Lin, Saad &amp; Yang 2016; Ghorbani et al. 2019): for each of
 * n_v normalized Rademacher probes v, m Lanczos steps give T_m = YΘYᵀ, a Gauss rule for the
 * spectral measure μ_v = Σ_i (u_iᵀv)² δ_{λ_i} with nodes θ_j and weights w_j = Y_{1j}². Since
 * E[vvᵀ] = I/N, the mean over probes of F_v(x) = μ_v((−∞, x)) estimates the fraction of
 * eigenvalues below x, and of Σ_j w_j θ_j^p the moment tr(H^p)/N.
 *
 * <p><b>Band.</b> The Chebyshev-Markov-Stieltjes inequalities for a Gauss rule: with
 * θ_k ≤ x &lt; θ_{k+1}, Σ_{j&lt;k} w_j ≤ F_v(x) ≤ Σ_{j≤k+1} w_j. The per-probe lower and upper
 * sums are averaged over probes and widened by the sampling error across probes: Student's
 * t_{0.975, n_v − 1} standard errors (2.26 at 10 probes, 2.78 at 5; about 2 at many). The
 * standard error is the larger of the one measured across probes and √(2p(1 − p)/(N·n_v)), the
 * standard deviation of F_v for a rank-pN projector whose eigenvectors are delocalized
 * (Var zᵀPz = 2(‖P‖²_F − Σ P_ii²) ≤ 2pN(1 − p) for Rademacher z): a few probes can agree by
 * chance, and that floor keeps their band from claiming a precision the probes cannot have. When the
 * run ends in an invariant subspace the rule is exact (μ_v is discrete on the nodes) and both
 * sums equal Σ_{θ_j&lt;x} w_j.
 */
public final class Slq {
    /**
     * probes = ADAPTIVE (the default): MIN_PROBES probes, then one more at a time until the
     * band's sampling half-width is ≤ half the resolution, or MAX_PROBES
     * ({@link IndexEstimator}). The sampling error of F_v(x) shrinks with N (for Rademacher probes
     * Var F_v(x) ≤ 2·F(x)/N), so a large network needs few probes and a small one many.
     */
    public static final int ADAPTIVE_PROBES = 0;
    public static final int MIN_PROBES = 5;
    public static final int MAX_PROBES = 60;
    /** The probe count of a fixed budget that names only steps. */
    public static final int DEFAULT_PROBES = 10;
    public static final int DEFAULT_STEPS = 100;
    /** steps = ADAPTIVE: each probe runs until its rule resolves −δ ({@link #runAdaptive}). */
    public static final int ADAPTIVE = 0;
    /**
     * The adaptive step cap is min(N, max(DEFAULT_STEPS, √(STEP_WORK / N))) per probe: m²·N, the
     * full reorthogonalization's work (≈ 4m²N flops per probe), is bounded by its value at
     * 784-1024-10 (N = 814,090) with 100 steps, where 10 probes take ≈ 1000 HVPs (≈ 460 s at
     * 0.46 s each on two idle cores); the basis m·N is then ≤ 650 MB for N ≤ 814,090, and an HVP
     * costing about N times the data, the HVPs' time is bounded likewise. At N ≤ 2011 the cap is N.
     */
    public static final double STEP_WORK = 100.0 * 100.0 * 814_090;
    /** The adaptive rule's first run and how often it re-evaluates the band (every max(EVERY, m/8) steps). */
    static final int FIRST = 40;
    static final int EVERY = 20;
    public static final long DEFAULT_SEED = 20191031L;

    private Slq() {
    }

    /** One probe's Gauss rule; {@code exact}: the Krylov space was exhausted. */
    public record Quadrature(double[] nodes, double[] weights, boolean exact) {
        /** Σ_{θ_j &lt; x} w_j: the rule's F_v(x). */
        public double below(double x) {
            double s = 0;
            for (int j = 0; j < nodes.length && nodes[j] < x; j++) {
                s += weights[j];
            }
            return s;
        }

        /** k with θ_k ≤ x &lt; θ_{k+1} (−1 when x &lt; θ_1). */
        private int bracket(double x) {
            int k = -1;
            while (k + 1 < nodes.length && nodes[k + 1] <= x) {
                k++;
            }
            return k;
        }

        /** The lower Chebyshev-Markov-Stieltjes sum Σ_{j&lt;k} w_j. */
        public double lower(double x) {
            if (exact) {
                return below(x);
            }
            return weightSum(bracket(x));
        }

        /** The upper sum Σ_{j≤k+1} w_j. */
        public double upper(double x) {
            if (exact) {
                return below(x);
            }
            return Math.min(1.0, weightSum(Math.min(bracket(x) + 2, nodes.length)));
        }

        /** Σ_{j&lt;m} w_j. */
        private double weightSum(int m) {
            double s = 0;
            for (int j = 0; j < m; j++) {
                s += weights[j];
            }
            return s;
        }

        public double moment(int p) {
            double s = 0;
            for (int j = 0; j < nodes.length; j++) {
                s += weights[j] * Math.pow(nodes[j], p);
            }
            return s;
        }
    }

    /**
     * The fraction of eigenvalues below x: the estimate (mean of F_v(x)) and the band
     * [low, high]; {@code resolution} is the mean over probes of upper − lower (the mass the
     * rule cannot place on one side of x), {@code standardError} that of the estimate.
     */
    public record Band(double x, double estimate, double low, double high, double standardError, double resolution,
                       double samplingHalfWidth) {
        public double width() {
            return high - low;
        }
    }

    /** The quadratures of all probes. */
    public record Estimate(int n, List<Quadrature> probes, long applies) {
        /** Lanczos steps (Gauss nodes) of each probe. */
        public int[] steps() {
            int[] s = new int[probes.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = probes.get(i).nodes().length;
            }
            return s;
        }

        public Band band(double x) {
            int nv = probes.size();
            double[] est = new double[nv];
            double[] lo = new double[nv];
            double[] hi = new double[nv];
            for (int i = 0; i < nv; i++) {
                Quadrature q = probes.get(i);
                est[i] = q.below(x);
                lo[i] = q.lower(x);
                hi[i] = q.upper(x);
            }
            double t = studentT975(nv - 1);
            double seLo = Math.max(standardError(lo), rademacherError(mean(lo), n, nv));
            double seHi = Math.max(standardError(hi), rademacherError(mean(hi), n, nv));
            double low = Math.max(0.0, mean(lo) - t * seLo);
            double high = Math.min(1.0, mean(hi) + t * seHi);
            return new Band(x, mean(est), low, high, standardError(est), mean(hi) - mean(lo),
                    t * Math.max(seLo, seHi));
        }

        /** Mean over probes of upper − lower at x. */
        public double resolution(double x) {
            double s = 0;
            for (Quadrature q : probes) {
                s += q.upper(x) - q.lower(x);
            }
            return s / probes.size();
        }

        /** The estimate of tr(H^p)/N. */
        public double moment(int p) {
            return mean(moments(p));
        }

        public double momentStandardError(int p) {
            return standardError(moments(p));
        }

        private double[] moments(int p) {
            double[] m = new double[probes.size()];
            for (int i = 0; i < m.length; i++) {
                m[i] = probes.get(i).moment(p);
            }
            return m;
        }

        /** The smallest node over all probes (a Ritz value, so ≥ λ_min). */
        public double minNode() {
            double m = Double.POSITIVE_INFINITY;
            for (Quadrature q : probes) {
                m = Math.min(m, q.nodes()[0]);
            }
            return m;
        }

        /** The largest node over all probes (≤ λ_max). */
        public double maxNode() {
            double m = Double.NEGATIVE_INFINITY;
            for (Quadrature q : probes) {
                m = Math.max(m, q.nodes()[q.nodes().length - 1]);
            }
            return m;
        }

        /**
         * The spectral density smoothed by a Gaussian of width sigma, at the points t:
         * φ(t) = mean_v Σ_j w_j·exp(−(t − θ_j)²/2σ²)/(σ√(2π)) (integrates to 1).
         */
        public double[] density(double[] t, double sigma) {
            double[] phi = new double[t.length];
            double c = 1.0 / (sigma * Math.sqrt(2 * Math.PI) * probes.size());
            for (Quadrature q : probes) {
                for (int j = 0; j < q.nodes().length; j++) {
                    for (int i = 0; i < t.length; i++) {
                        double z = (t[i] - q.nodes()[j]) / sigma;
                        phi[i] += c * q.weights()[j] * Math.exp(-0.5 * z * z);
                    }
                }
            }
            return phi;
        }

        /** A grid of points over [min node − 3σ, max node + 3σ] and σ = range / 200 (at least 1e-12). */
        public double[][] densityGrid(int points) {
            double lo = minNode();
            double hi = maxNode();
            double sigma = Math.max(1e-12, (hi - lo) / 200);
            double[] t = new double[points];
            for (int i = 0; i < points; i++) {
                t[i] = lo - 3 * sigma + (hi - lo + 6 * sigma) * i / (points - 1.0);
            }
            return new double[][] {t, density(t, sigma), {sigma}};
        }
    }

    /**
     * Runs {@code probes} Lanczos runs of {@code steps} steps (fewer at an invariant subspace) on
     * h with the workspace lz (its locked vectors are dropped) from Rademacher probes of seeds
     * seed, seed + 1, ...; {@code start} is scratch of length N.
     */
    public static Estimate run(SymmetricOperator h, Lanczos lz, int probes, int steps, long seed, DArray start) {
        if (probes < 1 || steps < 1) {
            throw new IllegalArgumentException("slq: need ≥ 1 probe and ≥ 1 step, got " + probes + " and " + steps);
        }
        return probes(lz, probes, seed, start, (s, host, st) -> probe(h, lz, steps, s, host, st));
    }

    /** One probe's rule from the Rademacher probe of {@code seed} ({@code host}, {@code start}: scratch). */
    @FunctionalInterface
    private interface Probe {
        Quadrature of(long seed, double[] host, DArray start);
    }

    /** The rules of probes of seeds seed, seed + 1, ... on lz (its locked vectors dropped), with the HVPs they took. */
    private static Estimate probes(Lanczos lz, int probes, long seed, DArray start, Probe probe) {
        int n = lz.n();
        lz.unlockAll();
        long a0 = lz.applies();
        double[] host = new double[n];
        List<Quadrature> qs = new ArrayList<>(probes);
        for (int p = 0; p < probes; p++) {
            qs.add(probe.of(seed + p, host, start));
        }
        return new Estimate(n, List.copyOf(qs), lz.applies() - a0);
    }

    /** One probe's rule from the Rademacher probe of {@code seed}, {@code steps} steps (fewer at an invariant subspace). */
    static Quadrature probe(SymmetricOperator h, Lanczos lz, int steps, long seed, double[] host, DArray start) {
        Eigenpairs.rademacher(lz.backend(), lz.n(), seed, host, start);
        lz.iterate(h, start, 0, Math.min(steps, lz.capacity()));
        return quadrature(lz.result());
    }

    /** One probe of the adaptive rule of {@link #runAdaptive}. */
    static Quadrature adaptiveProbe(SymmetricOperator h, Lanczos lz, double x, double target, int cap, long seed,
                                    double[] host, DArray start) {
        int m = Math.min(cap, lz.capacity());
        Eigenpairs.rademacher(lz.backend(), lz.n(), seed, host, start);
        int k = lz.iterate(h, start, 0, Math.min(FIRST, m));
        Quadrature q = quadrature(lz.result());
        while (k < m && !q.exact() && q.upper(x) - q.lower(x) > target) {
            k = lz.extend(h, Math.min(m - k, Math.max(EVERY, k / 8)));
            q = quadrature(lz.result());
        }
        return q;
    }

    /** The adaptive rule's step cap per probe at N (see {@link #STEP_WORK}). */
    public static int maxSteps(int n) {
        return (int) Math.min(n, Math.max(DEFAULT_STEPS, Math.floor(Math.sqrt(STEP_WORK / n))));
    }

    /**
     * The adaptive budget: each probe's Lanczos run is extended (the basis is stored, so this costs
     * one HVP per step and nothing is recomputed) until its Chebyshev-Markov-Stieltjes slack at x,
     * upper(x) − lower(x), is ≤ {@code target}, its Krylov space is exhausted, or it has
     * {@code cap} steps (capped by lz's capacity). The band is re-evaluated (T_m's eigen-
     * decomposition) after FIRST steps and then every max(EVERY, m/8). The stopping rule of a
     * probe depends on that probe alone, so the probes stay independent and the band of
     * {@link Estimate#band} keeps its meaning; each probe's slack ≤ target makes the mean ≤ target.
     */
    public static Estimate runAdaptive(SymmetricOperator h, Lanczos lz, int probes, double x, double target, int cap,
                                       long seed, DArray start) {
        if (probes < 1 || cap < 1) {
            throw new IllegalArgumentException("slq: need ≥ 1 probe and a step cap ≥ 1, got " + probes + " and " + cap);
        }
        return probes(lz, probes, seed, start, (s, host, st) -> adaptiveProbe(h, lz, x, target, cap, s, host, st));
    }

    private static Quadrature quadrature(Lanczos.Result r) {
        double[] w = new double[r.steps()];
        for (int j = 0; j < w.length; j++) {
            w[j] = r.weight(j);
        }
        return new Quadrature(r.ritzValues(), w, r.invariant());
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** t_{0.975, 1..30} (Student's t, two-sided 95%); beyond 30 the Cornish-Fisher series about 1.96. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042};

    /** Student's t quantile 0.975 at {@code dof} degrees of freedom (0 for dof &lt; 1: no sampling error stated). */
    static double studentT975(int dof) {
        if (dof < 1) {
            return 0.0;
        }
        if (dof <= T975.length) {
            return T975[dof - 1];
        }
        double z = 1.959964;
        double v = dof;
        return z + (z * z * z + z) / (4 * v) + (5 * Math.pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v);
    }

    /** √(2p(1 − p)/(N·probes)): the standard error of a mean of F_v for a delocalized rank-pN projector. */
    static double rademacherError(double p, int n, int probes) {
        double q = Math.min(1.0, Math.max(0.0, p));
        return Math.sqrt(2 * q * (1 - q) / ((double) n * probes));
    }

    /** sd/√n with the n − 1 denominator (0 for one sample: a single probe has no stated sampling error). */
    static double standardError(double[] x) {
        int n = x.length;
        if (n < 2) {
            return 0.0;
        }
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (n - 1) / n);
    }
}
