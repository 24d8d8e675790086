package dev.morse.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.experiment.Problem;
import dev.morse.experiment.Spec;
import dev.morse.index.DenseRoutes;
import dev.morse.index.HessianOperator;
import dev.morse.index.IndexEstimator;
import dev.morse.index.MorseIndex;
import dev.morse.index.Slq;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The index benchmark (issue 10's targets), one run:
 * <ol>
 *   <li>large: the SLQ index band, λ_min and λ_max of a 784-H-10 MNIST classifier (H = 1024 on
 *       10000 images: N = 814,090) with time, HVPs and peak memory;</li>
 *   <li>band: the SLQ band width at N ≈ 2000 with the default budget at δ = 1e-3, beside the exact
 *       fraction (dsyevd) and its coverage over several probe seeds;</li>
 *   <li>inertia: exact index by LDLᵀ against dsyevd on the same assembled H (N = 4096);</li>
 *   <li>optionally, inertia at the largest N whose dense route fits the machine's memory.</li>
 * </ol>
 * The points are GD iterates from a seeded initialization (a few steps, so the spectrum is a
 * network's and not the initialization's); data MNIST (the cache or --data-dir).
 */
public final class IndexBench {
    private IndexBench() {
    }

    /** What to run. */
    public record Options(boolean quick, int largeWidth, int largeImages, int probes, int steps, double threshold,
                          int bandN, int inertiaN, int bandSeeds, boolean largest, boolean bandOnly, boolean largestOnly,
                          Path dataDir) {
    }

    /** One line of the results table. */
    public record Row(String caseName, String what, String value, String target) {
    }

    /** The rows, and the machine's load before and after. */
    public static List<Row> run(Options o, Supplier<Backend> backends, PrintWriter log) {
        return run(o, backends, log, rows -> { });
    }

    /**
     * The rows, and the machine's load before and after; {@code progress} sees the rows after
     * each case (so a long run that dies later keeps what it measured). A case that throws is
     * recorded as a "failed" row with its message and the next case runs.
     */
    public static List<Row> run(Options o, Supplier<Backend> backends, PrintWriter log, Consumer<List<Row>> progress) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("machine", "cores; load average before", Runtime.getRuntime().availableProcessors() + "; "
                + load(), ""));
        boolean only = o.bandOnly() || o.largestOnly();
        if (!only) {
            step("large", () -> large(o, backends, log, rows), rows, log, progress);
        }
        if (o.bandSeeds() > 0 && !o.largestOnly()) {
            step("band", () -> band(o, backends, log, rows), rows, log, progress);
        }
        if (!only) {
            step("inertia", () -> inertia(o, o.inertiaN(), backends, log, rows, "inertia", true), rows, log, progress);
        }
        if ((o.largest() || o.largestOnly()) && !o.bandOnly()) {
            step("inertia-largest", () -> {
                long avail = DenseRoutes.cpuAvailable() - (1L << 30);
                int n = DenseRoutes.largestN(IndexEstimator.Method.INERTIA, avail, DenseRoutes.Device.CPU);
                rows.add(new Row("inertia-largest", "why this N", n == DenseRoutes.CPU_MAX_DENSE_N
                        ? "the CPU backend's array limit (N² ≤ 2^31 − 16); memory would allow "
                        + DenseRoutes.largestByMemory(IndexEstimator.Method.INERTIA, avail, DenseRoutes.Device.CPU)
                        : "memory: " + DenseRoutes.gib(avail) + " available less 1 GiB", ""));
                inertia(o, n, backends, log, rows, "inertia-largest", false);
            }, rows, log, progress);
        }
        rows.add(new Row("machine", "load average after", load(), ""));
        progress.accept(rows);
        return rows;
    }

    private static void step(String c, Runnable r, List<Row> rows, PrintWriter log, Consumer<List<Row>> progress) {
        try {
            r.run();
        } catch (RuntimeException | OutOfMemoryError e) {
            rows.add(new Row(c, "failed", String.valueOf(e), ""));
            log.println("index bench: " + c + " failed: " + e);
            e.printStackTrace(log);
            log.flush();
        }
        progress.accept(rows);
    }

    private static Problem mnistMlp(int in, int hidden, int images, int pca, Path dataDir) {
        String yaml = "name: bench\nproblem:\n  kind: mlp\n  widths: [" + in + ", " + hidden + ", 10]\n"
                + "  activation: swish\n  loss: cross-entropy\n  data: {source: mnist, n: " + images
                + ", zscore: true, seed: 10" + (pca > 0 ? ", pca: " + pca : "") + "}\n"
                + "methods:\n  - {kind: newton-mr, runs: 1, iterations: 1}\n";
        try {
            Spec s = Spec.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml), false);
            return Problem.build(s.problem(), dataDir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** θ after {@code steps} gradient steps of size lr from the seeded initialization. */
    private static double[] trained(Plan plan, Problem p, int steps, double lr) {
        double[] th = p.init(10, 1.0);
        for (int t = 0; t < steps; t++) {
            double[] g = plan.at(th).gradientArray();
            for (int i = 0; i < th.length; i++) {
                th[i] -= lr * g[i];
            }
        }
        return th;
    }

    private static void large(Options o, Supplier<Backend> backends, PrintWriter log, List<Row> rows) {
        Problem p = mnistMlp(784, o.largeWidth(), o.largeImages(), 0, o.dataDir());
        int n = p.nParams();
        String c = "large";
        log.printf(Locale.ROOT, "index bench: %s, N = %d%n", p.description(), n);
        log.flush();
        try (Backend be = backends.get(); Plan plan = Plan.compile(p.program(), be)) {
            double[] th = trained(plan, p, 20, 0.1);
            Linearization lin = plan.at(th);
            IndexEstimator.Options io = IndexEstimator.Options.defaults().withThreshold(o.threshold())
                    .withBudget(o.probes(), o.steps());
            long t0 = System.nanoTime();
            try (HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.MATRIX_FREE);
                 IndexEstimator est = new IndexEstimator(be, n, io, IndexEstimator.Method.SLQ)) {
                h.bind(lin);
                // one HVP timed on its own, for the cost per product
                try (DArray v = be.alloc(n); DArray out = be.alloc(n)) {
                    be.fill(n, 1.0 / Math.sqrt(n), v, 0);
                    long a = System.nanoTime();
                    lin.hvp(v, 0, out, 0);
                    rows.add(new Row(c, "one HVP", String.format(Locale.ROOT, "%.3f s", (System.nanoTime() - a) * 1e-9), ""));
                }
                IndexEstimator.Estimate e = est.estimate(h);
                double secs = (System.nanoTime() - t0) * 1e-9;
                rows.add(new Row(c, "network", p.description() + ", N = " + n + ", θ after 20 GD steps", ""));
                rows.add(new Row(c, "budget", (o.probes() == 0 ? "adaptive probes" : o.probes() + " probes") + " × "
                        + (o.steps() == 0 ? "adaptive steps (cap " + Slq.maxSteps(n) + ")" : o.steps() + " steps"), ""));
                rows.add(new Row(c, "probes × steps used; rule", e.steps().length + " × " + range(e.steps()) + "; "
                        + e.rule(), ""));
                rows.add(new Row(c, "index", e.describe(), "a band at a stated threshold"));
                rows.add(new Row(c, "λ_min, λ_max (Ritz)", String.format(Locale.ROOT, "%.6g, %.6g", e.minEig(),
                        e.maxEig()), ""));
                rows.add(new Row(c, "HVPs", Long.toString(e.hvps()), ""));
                rows.add(new Row(c, "time (index)", String.format(Locale.ROOT, "%.1f s", e.seconds()),
                        "≤ 600 s on 2 cores"));
                rows.add(new Row(c, "peak resident memory (process)", peakRss(), "≤ 4 GB"));
                log.printf(Locale.ROOT, "  %s in %.1f s%n", e.describe(), secs);
                log.flush();
            }
        }
    }

    private static void band(Options o, Supplier<Backend> backends, PrintWriter log, List<Row> rows) {
        // MNIST PCA 32 → 32-H-10 with N ≈ bandN
        int hidden = Math.max(2, (o.bandN() - 10) / (32 + 1 + 10));
        Problem p = mnistMlp(32, hidden, 1000, 32, o.dataDir());
        int n = p.nParams();
        String c = "band";
        log.printf(Locale.ROOT, "index bench: %s, N = %d%n", p.description(), n);
        log.flush();
        try (Backend be = backends.get(); Plan plan = Plan.compile(p.program(), be);
             HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.DENSE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(be, n)) {
            double[] th = trained(plan, p, 200, 0.1);
            h.bind(plan.at(th));
            MorseIndex.Spectrum sp = MorseIndex.spectrum(h, ws);
            double delta = 1e-3;
            int seeds = o.bandSeeds();
            rows.add(new Row(c, "network", p.description() + ", N = " + n + ", θ after 200 GD steps", ""));
            rows.add(new Row(c, "exact fraction below −1e-3 (dsyevd)", String.format(Locale.ROOT, "%.4f (%d of %d)",
                    (double) sp.negativeCount(delta) / n, sp.negativeCount(delta), n), ""));
            // the default budget: adaptive steps until the slack at −1e-3 is ≤ the resolution, δ raised only at the cap
            IndexEstimator.Options io = IndexEstimator.Options.defaults().withThreshold(delta);
            int covered = 0;
            int exact = 0;
            int raised = 0;
            double width = 0;
            double widest = 0;
            double slack = 0;
            double used = 0;
            int minSteps = Integer.MAX_VALUE;
            int maxSteps = 0;
            double meanSteps = 0;
            int probesUsed = 0;
            int minProbes = Integer.MAX_VALUE;
            int maxProbes = 0;
            double secs = 0;
            for (int s = 0; s < seeds; s++) {
                try (IndexEstimator est = new IndexEstimator(be, n, io.withSeed(1000L * s + 1),
                        IndexEstimator.Method.SLQ)) {
                    IndexEstimator.Estimate e = est.estimate(h);
                    double f = (double) sp.negativeCount(e.threshold()) / n;
                    covered += e.low() <= f && f <= e.high() ? 1 : 0;
                    width += (e.high() - e.low()) / seeds;
                    widest = Math.max(widest, e.high() - e.low());
                    used = Math.max(used, e.threshold());
                    raised += e.threshold() != delta ? 1 : 0;
                    exact += e.exact() ? 1 : 0;
                    secs += e.seconds() / seeds;
                    if (e.quadrature() != null) {
                        slack += e.quadrature().resolution(-delta) / seeds;
                        for (int k : e.steps()) {
                            minSteps = Math.min(minSteps, k);
                            maxSteps = Math.max(maxSteps, k);
                            meanSteps += k;
                        }
                        probesUsed += e.steps().length;
                        minProbes = Math.min(minProbes, e.steps().length);
                        maxProbes = Math.max(maxProbes, e.steps().length);
                    }
                    log.printf(Locale.ROOT, "  seed %d: %s; %s%n", s, e.describe(), e.rule());
                    log.flush();
                }
            }
            meanSteps /= Math.max(1, probesUsed);
            String budget = "default budget (adaptive probes, adaptive steps ≤ " + Slq.maxSteps(n) + ")";
            rows.add(new Row(c, "probes per estimate, " + budget, String.format(Locale.ROOT, "%d-%d (mean %.1f)",
                    minProbes, maxProbes, (double) probesUsed / seeds), ""));
            rows.add(new Row(c, "Lanczos steps per probe, " + budget, String.format(Locale.ROOT,
                    "%d-%d (mean %.0f)", minSteps, maxSteps, meanSteps), ""));
            rows.add(new Row(c, "SLQ band width at δ = 1e-3, " + budget + ", mean (widest) over " + seeds
                    + " probe seeds", String.format(Locale.ROOT, "%.4f (%.4f); quadrature slack %.4f; δ raised in %d"
                    + " (largest δ used %.3g); %d exact by deflation", width, widest, slack, raised, used, exact),
                    "≤ 0.02"));
            rows.add(new Row(c, "bands containing the exact fraction at their δ", covered + " of " + seeds,
                    "all but ~1 in 20"));
            rows.add(new Row(c, "time per estimate (mean)", String.format(Locale.ROOT, "%.1f s", secs), ""));
        }
    }

    private static void inertia(Options o, int target, Supplier<Backend> backends, PrintWriter log, List<Row> rows,
                                String c, boolean withSpectrum) {
        // a symmetric matrix from a network: MNIST PCA 32 → 32-H-10 with N ≈ target, H assembled once
        int hidden = Math.max(2, (target - 10) / (32 + 1 + 10));
        Problem p = mnistMlp(32, hidden, 1000, 32, o.dataDir());
        int n = p.nParams();
        log.printf(Locale.ROOT, "index bench: %s: N = %d%n", c, n);
        log.flush();
        try (Backend be = backends.get(); Plan plan = Plan.compile(p.program(), be);
             HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.MATRIX_FREE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(be, n)) {
            h.bind(plan.at(trained(plan, p, 50, 0.1)));
            long a = System.nanoTime();
            h.copyDense(ws.matrix(), 0);
            double assemble = (System.nanoTime() - a) * 1e-9;
            try (DArray copy = withSpectrum ? be.alloc((long) n * n) : null) {
                if (copy != null) {
                    be.copy((long) n * n, ws.matrix(), 0, copy, 0);
                }
                a = System.nanoTime();
                MorseIndex.Result in = MorseIndex.byInertia(be, n, ws.matrix(), 0, 1e-5, ws);
                double tIn = (System.nanoTime() - a) * 1e-9;
                rows.add(new Row(c, "N; Hessian assembly (hvpBlock)", String.format(Locale.ROOT, "%d; %.1f s", n, assemble),
                        ""));
                rows.add(new Row(c, "inertia (dsytrf) time; index", String.format(Locale.ROOT, "%.2f s; %.6g", tIn,
                        in.index()), ""));
                if (copy != null) {
                    a = System.nanoTime();
                    MorseIndex.Spectrum sp = MorseIndex.spectrum(be, n, copy, 0, ws);
                    double tSp = (System.nanoTime() - a) * 1e-9;
                    rows.add(new Row(c, "spectrum (dsyevd, no vectors) time; index", String.format(Locale.ROOT,
                            "%.2f s; %.6g", tSp, sp.index(1e-5).index()), ""));
                    rows.add(new Row(c, "dsyevd / dsytrf time", String.format(Locale.ROOT, "%.1f×", tSp / tIn), "≥ 5×"));
                }
            }
        }
    }

    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String peakRss() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.2f GB", kb * 1024 / 1e9);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "unknown";
    }

    /** Markdown table. */
    public static String markdown(List<Row> rows, String command) {
        StringBuilder sb = new StringBuilder("# Index benchmark\n\n`" + command + "`\n\n| case | what | value | target |\n"
                + "|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.caseName()).append(" | ").append(r.what()).append(" | ").append(r.value())
                    .append(" | ").append(r.target()).append(" |\n");
        }
        return sb.toString();
    }

    private static String range(int[] k) {
        int lo = Integer.MAX_VALUE;
        int hi = 0;
        for (int x : k) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return lo == hi ? Integer.toString(lo) : lo + "-" + hi;
    }
}
