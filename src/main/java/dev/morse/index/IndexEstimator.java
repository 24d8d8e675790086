package dev.morse.index;

import dev.morse.backend.Backend;
import dev.morse.krylov.Lanczos;
import java.util.Locale;

/**
 * The Morse index of a point by the route a spec names, always with its threshold and band:
 * <ul>
 *   <li>{@code spectrum}: dsyevd of the assembled H (exact; the spectrum is kept);</li>
 *   <li>{@code inertia}: LDLᵀ of H + δI (exact, no eigenvalues: λ_min, λ_max are left out);</li>
 *   <li>{@code lanczos}: Lanczos with locking finds every eigenvalue below −δ
 *       ({@link Eigenpairs}); when it is complete the count is exact, otherwise the SLQ band;</li>
 *   <li>{@code slq}: stochastic Lanczos quadrature ({@link Slq}) gives the band; when its upper
 *       end leaves at most {@code maxPairs} eigenvalues below −δ, the locking search tries to
 *       find them all and, when complete, the count is exact and the band collapses;</li>
 *   <li>{@code auto}: spectrum while N ≤ the spectrum limit and the dense route fits memory,
 *       else inertia while it fits, else slq ({@link DenseRoutes}).</li>
 * </ul>
 *
 * <p><b>Steps.</b> By default ({@link Slq#ADAPTIVE}) each probe's run is extended until the
 * weight its rule cannot place on one side of −δ is ≤ {@code resolution}, or to the cap
 * {@link Slq#maxSteps} ({@link Slq#runAdaptive}); {@code steps: K} fixes K.
 *
 * <p><b>Threshold.</b> The quadrature cannot resolve mass closer to −δ than the spacing of its
 * nodes: the band at −δ is as wide as the weights of the nodes bracketing −δ. When the runs end
 * (at the cap, or a fixed K) with that mean slack above {@code resolution}, δ is raised
 * along δ_asked·10^{i/4} (i = 0, 1, …, while δ ≤ 1e-2·max|θ|) to the first value whose
 * resolution (mean over probes of upper − lower sum) is at most {@code resolution}; if none
 * reaches it, to the one with the least. The estimate records the asked and the used δ.
 * Exact routes use δ as asked.
 */
public final class IndexEstimator implements AutoCloseable {
    /** Resolution the raised threshold must reach (mean CMS slack at −δ, a fraction of N). */
    public static final double DEFAULT_RESOLUTION = 0.01;
    /** Eigenpairs the exact-by-deflation search may lock. */
    public static final int DEFAULT_MAX_PAIRS = Eigenpairs.DEFAULT_MAX_PAIRS;
    /** Threshold grid step 10^{1/4} and its cap relative to max |θ|. */
    static final double RAISE_FACTOR = Math.pow(10, 0.25);
    static final double RAISE_CAP = 1e-2;

    /** How the index is computed. */
    public enum Method {
        AUTO, SPECTRUM, INERTIA, LANCZOS, SLQ;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses a spec or CLI word; throws IllegalArgumentException naming the choices. */
        public static Method parse(String s) {
            for (Method m : values()) {
                if (m.key().equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("index method must be one of auto, spectrum, inertia, lanczos, slq; got '"
                    + s + "'");
        }
    }

    /**
     * What to compute; probes and steps are the SLQ budget (probes = {@link Slq#ADAPTIVE_PROBES},
     * the default: {@link Slq#MIN_PROBES} and more until the sampling half-width is ≤ resolution / 2;
     * steps = {@link Slq#ADAPTIVE}, the default: each probe runs until its slack at −δ is ≤ resolution
     * or the cap {@link Slq#maxSteps}),
     * steps also the eigenpair search's rounds ({@link Slq#DEFAULT_STEPS} when adaptive).
     */
    public record Options(Method method, double threshold, int probes, int steps, long seed, double resolution,
                          int maxPairs) {
        public static Options defaults() {
            return new Options(Method.AUTO, MorseIndex.DEFAULT_THRESHOLD, Slq.ADAPTIVE_PROBES, Slq.ADAPTIVE,
                    Slq.DEFAULT_SEED, DEFAULT_RESOLUTION, DEFAULT_MAX_PAIRS);
        }

        public Options withMethod(Method m) {
            return new Options(m, threshold, probes, steps, seed, resolution, maxPairs);
        }

        public Options withThreshold(double t) {
            return new Options(method, t, probes, steps, seed, resolution, maxPairs);
        }

        /** Probes p and a fixed s steps per probe (s = {@link Slq#ADAPTIVE}: the adaptive rule). */
        public Options withBudget(int p, int s) {
            return new Options(method, threshold, p, s, seed, resolution, maxPairs);
        }

        /**
         * The slack target: the adaptive rule extends each probe until its slack at −δ is ≤ r, and δ
         * is raised only while the mean slack is > r. r = 1 keeps δ as asked (every band is within 1)
         * and stops the adaptive rule at its first evaluation.
         */
        public Options withResolution(double r) {
            return new Options(method, threshold, probes, steps, seed, r, maxPairs);
        }

        public Options withSeed(long s) {
            return new Options(method, threshold, probes, steps, s, resolution, maxPairs);
        }
    }

    /**
     * One point's index.
     *
     * @param method         the route that ran (never AUTO)
     * @param index          the estimate: the exact fraction, or the SLQ mean of F_v(−δ)
     * @param low            lower end of the band (= index when exact)
     * @param high           upper end of the band (= index when exact)
     * @param thresholdAsked δ as asked
     * @param threshold      δ used (≥ asked; raised only by the quadrature routes)
     * @param exact          the count is exact (dense route, or a complete eigenpair search)
     * @param negative       #{λ &lt; −δ} when exact, else −1
     * @param minEig         λ_min (exact routes: the spectrum's; Krylov routes: the smallest Ritz value); NaN for inertia
     * @param maxEig         λ_max likewise
     * @param hvps           Hessian-vector products spent (a dense assembly counts N)
     * @param quadrature     the SLQ quadratures (for the density), or null
     * @param spectrum       the dense spectrum, or null
     * @param pairs          the eigenpair search, or null
     * @param status         "ok", or the factorization's failure
     * @param stepCap        the adaptive rule's step cap per probe; 0 for a fixed budget or an exact route
     * @param resolution     the slack target ({@link Options#resolution})
     */
    public record Estimate(Method method, double index, double low, double high, double thresholdAsked, double threshold,
                           boolean exact, int negative, double minEig, double maxEig, long hvps, double seconds,
                           Slq.Estimate quadrature, MorseIndex.Spectrum spectrum, Eigenpairs.Result pairs, String status,
                           int stepCap, double resolution) {
        public boolean ok() {
            return status.equals("ok");
        }

        /** Lanczos steps of each SLQ probe, or null without a quadrature. */
        public int[] steps() {
            return quadrature == null ? null : quadrature.steps();
        }

        /**
         * How the SLQ budget ended and why δ is what it is, or null without a quadrature, e.g.
         * "adaptive: slack 0.0071 ≤ 0.01 at δ asked with 310-460 steps per probe (cap 2000)" or
         * "adaptive: step cap 100 reached with slack 0.31 > 0.01 at δ asked: δ raised".
         */
        public String rule() {
            if (quadrature == null) {
                return null;
            }
            int[] s = steps();
            int lo = Integer.MAX_VALUE;
            int hi = 0;
            for (int k : s) {
                lo = Math.min(lo, k);
                hi = Math.max(hi, k);
            }
            String st = lo == hi ? lo + " steps per probe" : lo + "-" + hi + " steps per probe";
            double slack = quadrature.resolution(-thresholdAsked);
            String at = String.format(Locale.ROOT, "slack %.3g %s %.3g at δ asked", slack,
                    slack <= resolution ? "≤" : ">", resolution);
            String how = stepCap > 0 ? "adaptive: " + (slack <= resolution ? "" : "step cap " + stepCap + " reached, ")
                    : "fixed: ";
            String cap = stepCap > 0 && slack <= resolution ? " (cap " + stepCap + ")" : "";
            Slq.Band b = quadrature.band(-threshold);
            String probes = String.format(Locale.ROOT, "; %d probes, sampling ±%.2g", s.length, b.samplingHalfWidth());
            return how + at + " with " + st + cap + (threshold != thresholdAsked ? ": δ raised" : "") + probes;
        }

        /** "0.0123 [0.0100, 0.0150] at δ = 1e-3 (slq)" or "0.0123 exact at δ = 1e-5 (spectrum)". */
        public String describe() {
            if (!ok()) {
                return "unavailable (" + status + ")";
            }
            String d = threshold == thresholdAsked ? String.format(Locale.ROOT, "δ = %.3g", threshold)
                    : String.format(Locale.ROOT, "δ = %.3g (asked %.3g)", threshold, thresholdAsked);
            return exact ? String.format(Locale.ROOT, "%.6g exact at %s (%s)", index, d, method.key())
                    : String.format(Locale.ROOT, "%.6g [%.6g, %.6g] at %s (%s)", index, low, high, d, method.key());
        }
    }

    private final Backend be;
    private final int n;
    private final Options o;
    private final Method method;
    private MorseIndex.Workspace dense;
    private Eigenpairs pairs;

    /** @param method the resolved route (not AUTO: see {@link DenseRoutes#resolve}) */
    public IndexEstimator(Backend backend, int n, Options options, Method method) {
        if (method == Method.AUTO) {
            throw new IllegalArgumentException("index estimator: resolve AUTO first (DenseRoutes.resolve)");
        }
        this.be = backend;
        this.n = n;
        this.o = options;
        this.method = method;
    }

    public Method method() {
        return method;
    }

    /** The index of the Hessian behind h (bound to the point). */
    public Estimate estimate(HessianOperator h) {
        long t0 = System.nanoTime();
        long h0 = h.hvpCount();
        double delta = o.threshold();
        switch (method) {
            case SPECTRUM: {
                MorseIndex.Spectrum s = MorseIndex.spectrum(h, dense());
                if (!s.status().ok()) {
                    return failed(s.status().toString(), h, h0, t0);
                }
                int neg = s.negativeCount(delta);
                double f = (double) neg / n;
                return new Estimate(method, f, f, f, delta, delta, true, neg, s.min(), s.max(), h.hvpCount() - h0,
                        secs(t0), null, s, null, "ok", 0, o.resolution());
            }
            case INERTIA: {
                MorseIndex.Result r = MorseIndex.byInertia(h, delta, dense());
                if (!r.status().ok()) {
                    return failed(r.status().toString(), h, h0, t0);
                }
                return new Estimate(method, r.index(), r.index(), r.index(), delta, delta, true, r.negative(),
                        Double.NaN, Double.NaN, h.hvpCount() - h0, secs(t0), null, null, null, "ok", 0, o.resolution());
            }
            case LANCZOS: {
                Eigenpairs.Result r = pairs().run(h, delta, Eigenpairs.DEFAULT_MAX_ROUNDS, o.seed() + 7919);
                if (r.complete()) {
                    double f = (double) r.count() / n;
                    return new Estimate(method, f, f, f, delta, delta, true, r.count(), r.minEig(), r.maxEig(),
                            h.hvpCount() - h0, secs(t0), null, null, r, "ok", 0, o.resolution());
                }
                return quadrature(h, h0, t0, r);
            }
            default:
                return quadrature(h, h0, t0, null);
        }
    }

    private Estimate quadrature(HessianOperator h, long h0, long t0, Eigenpairs.Result found) {
        Eigenpairs ep = pairs();
        int cap = o.steps() == Slq.ADAPTIVE ? Math.min(Slq.maxSteps(n), ep.lanczos().capacity()) : 0;
        Slq.Estimate q = probes(h, cap);
        double delta = raise(q, o.threshold(), o.resolution());
        Slq.Band b = q.band(-delta);
        double minEig = q.minNode();
        double maxEig = q.maxNode();
        if (found == null && b.high() * n < o.maxPairs() + 1) {
            Eigenpairs.Result r = ep.run(h, delta, Eigenpairs.DEFAULT_MAX_ROUNDS, o.seed() + 7919);
            found = r;
            if (r.complete()) {
                double f = (double) r.count() / n;
                return new Estimate(method, f, f, f, o.threshold(), delta, true, r.count(),
                        Math.min(minEig, r.minEig()), Math.max(maxEig, r.maxEig()), h.hvpCount() - h0, secs(t0), q,
                        null, r, "ok", cap, o.resolution());
            }
        }
        double low = b.low();
        double high = b.high();
        if (found != null) {
            // each kept pair certifies one eigenvalue below −δ_asked; those with λ + res < −δ below −δ
            int certified = 0;
            for (Eigenpairs.Pair p : found.negative()) {
                if (p.lambda() + p.residual() < -delta) {
                    certified++;
                }
            }
            low = Math.max(low, (double) certified / n);
            high = Math.max(high, low);
            minEig = Math.min(minEig, found.minEig());
            maxEig = Math.max(maxEig, found.maxEig());
        }
        double est = Math.min(high, Math.max(low, b.estimate()));
        return new Estimate(method, est, low, high, o.threshold(), delta, false, -1, minEig, maxEig,
                h.hvpCount() - h0, secs(t0), q, null, found, "ok", cap, o.resolution());
    }

    /**
     * The probes: a fixed count, or (probes = {@link Slq#ADAPTIVE_PROBES}) {@link Slq#MIN_PROBES}
     * and then one more at a time until the sampling half-width of the band at the δ the
     * threshold rule would use is ≤ resolution / 2, or {@link Slq#MAX_PROBES}. With the
     * quadrature slack ≤ resolution this bounds the band's width by 2·resolution where the step
     * cap allows. Probe i always uses the seed seed + i, so an estimate with more probes extends
     * one with fewer.
     */
    Slq.Estimate probes(dev.morse.krylov.SymmetricOperator h, int cap) {
        Eigenpairs ep = pairs();
        Lanczos lz = ep.lanczos();
        lz.unlockAll();
        long a0 = lz.applies();
        boolean adaptive = o.probes() == Slq.ADAPTIVE_PROBES;
        int min = adaptive ? Slq.MIN_PROBES : o.probes();
        int max = adaptive ? Slq.MAX_PROBES : o.probes();
        double[] host = new double[n];
        java.util.List<Slq.Quadrature> qs = new java.util.ArrayList<>(min);
        while (true) {
            long seed = o.seed() + qs.size();
            qs.add(cap > 0 ? Slq.adaptiveProbe(h, lz, -o.threshold(), o.resolution(), cap, seed, host, ep.scratch())
                    : Slq.probe(h, lz, o.steps(), seed, host, ep.scratch()));
            if (qs.size() >= max || qs.size() >= min && sampled(new Slq.Estimate(n, qs, 0))) {
                return new Slq.Estimate(n, java.util.List.copyOf(qs), lz.applies() - a0);
            }
        }
    }

    /** The adaptive probe rule's stop: sampling half-width ≤ resolution / 2 at the δ the rule would use. */
    private boolean sampled(Slq.Estimate q) {
        double d = raise(q, o.threshold(), o.resolution());
        return q.band(-d).samplingHalfWidth() <= o.resolution() / 2;
    }

    /** The threshold rule of the class comment. */
    static double raise(Slq.Estimate q, double asked, double resolution) {
        double cap = RAISE_CAP * Math.max(Math.abs(q.minNode()), Math.abs(q.maxNode()));
        double best = asked;
        double bestRes = q.resolution(-asked);
        if (bestRes <= resolution || !(asked > 0)) {
            return asked;
        }
        for (double d = asked * RAISE_FACTOR; d <= cap; d *= RAISE_FACTOR) {
            double r = q.resolution(-d);
            if (r <= resolution) {
                return d;
            }
            if (r < bestRes) {
                best = d;
                bestRes = r;
            }
        }
        return best;
    }

    private Estimate failed(String status, HessianOperator h, long h0, long t0) {
        return new Estimate(method, Double.NaN, Double.NaN, Double.NaN, o.threshold(), o.threshold(), false, -1,
                Double.NaN, Double.NaN, h.hvpCount() - h0, secs(t0), null, null, null, status, 0, o.resolution());
    }

    private MorseIndex.Workspace dense() {
        if (dense == null) {
            dense = new MorseIndex.Workspace(be, n);
        }
        return dense;
    }

    private Eigenpairs pairs() {
        if (pairs == null) {
            pairs = o.steps() == Slq.ADAPTIVE
                    ? new Eigenpairs(be, n, Slq.DEFAULT_STEPS, o.maxPairs(), adaptiveRows(be, n, o.maxPairs()))
                    : new Eigenpairs(be, n, o.steps(), o.maxPairs());
        }
        return pairs;
    }

    /**
     * Basis rows for the adaptive rule: {@link Slq#maxSteps}, but no more than half the memory
     * available (beside maxPairs locked rows), and at least the eigenpair search's steps.
     */
    static int adaptiveRows(Backend be, int n, int maxPairs) {
        long avail = be.availableBytes() >= 0 ? be.availableBytes() : DenseRoutes.cpuAvailable();
        int fit = Lanczos.capacityWithin(avail / 2, n) - maxPairs;
        return Math.max(Math.min(Slq.DEFAULT_STEPS, n), Math.min(Slq.maxSteps(n), fit));
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) * 1e-9;
    }

    @Override
    public void close() {
        if (dense != null) {
            dense.close();
        }
        if (pairs != null) {
            pairs.close();
        }
    }
}
