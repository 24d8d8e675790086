package dev.morse.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.morse.index.PointClass;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Rebuilds {@code summary.md} and the plots of a results directory from its
 * {@code runs.jsonl}, traces and (for the deep linear autoencoder) {@code analytic.csv}.
 * Everything here is derived; {@code morse report DIR} reruns it.
 */
public final class Report {
    /** r thresholds counted per method (thesis §3.5). */
    static final double[] R_LEVELS = {0.5, 0.9, 0.99};
    /** Runs of each end class whose r trace is drawn. */
    static final int R_TRACES_PER_CLASS = 3;
    static final Color CRITICAL = new Color(0x1b9e77);
    static final Color FLAT = new Color(0xd95f02);
    static final Color OTHER = new Color(0x7570b3);
    static final Color FAILED = new Color(0x999999);

    private Report() {
    }

    /** Per-method statistics over its records. */
    public record MethodStats(String method, int runs, int critical, int flat, int other, int failed,
                              double seconds, int[] maxRAbove, int finalRFlat, int analyticMatches,
                              boolean analytic, int maxRMissing) {
        public double fraction(int k) {
            return runs == 0 ? Double.NaN : (double) k / runs;
        }

        /** Standard error of a fraction p over n runs: √(p(1−p)/n). */
        public double stderr(int k) {
            double p = fraction(k);
            return Math.sqrt(p * (1 - p) / runs);
        }

        public double secondsPerSuccess() {
            return critical == 0 ? Double.POSITIVE_INFINITY : seconds / critical;
        }
    }

    public static List<MethodStats> stats(List<ObjectNode> runs) {
        Map<String, List<ObjectNode>> by = new LinkedHashMap<>();
        for (ObjectNode r : runs) {
            by.computeIfAbsent(r.path("method").asText(), k -> new ArrayList<>()).add(r);
        }
        List<MethodStats> out = new ArrayList<>();
        for (Map.Entry<String, List<ObjectNode>> e : by.entrySet()) {
            int crit = 0;
            int flat = 0;
            int other = 0;
            int failed = 0;
            int matches = 0;
            boolean analytic = false;
            double secs = 0;
            int[] above = new int[R_LEVELS.length];
            int finalRFlat = 0;
            int maxRMissing = 0;
            for (ObjectNode r : e.getValue()) {
                PointClass pc = PointClass.fromKey(textStatus(r));
                if (pc == PointClass.CRITICAL) {
                    crit++;
                } else if (pc == PointClass.GRADIENT_FLAT) {
                    flat++;
                } else if (textStatus(r).equals(RunResult.FAILED)) {
                    failed++;
                } else {
                    other++;
                }
                secs += r.path("seconds").asDouble(0);
                if ((pc == PointClass.GRADIENT_FLAT || pc == PointClass.OTHER)
                        && r.path("final_r").asDouble(Double.NaN) > PointClass.Criteria.defaults().flatR()) {
                    finalRFlat++;
                }
                if (r.path("flatness").asText("every").equals("last")) {
                    maxRMissing++;
                }
                double maxR = r.path("max_r").asDouble(Double.NaN);
                for (int i = 0; i < R_LEVELS.length; i++) {
                    if (maxR >= R_LEVELS[i]) {
                        above[i]++;
                    }
                }
                if (r.has("analytic_match")) {
                    analytic = true;
                    if (pc == PointClass.CRITICAL && r.path("analytic_match").asBoolean()) {
                        matches++;
                    }
                }
            }
            out.add(new MethodStats(e.getKey(), e.getValue().size(), crit, flat, other, failed, secs, above,
                    finalRFlat, matches, analytic, maxRMissing));
        }
        return out;
    }

    /** A record's status by the thesis text's definitions (records before both were kept have only "status"). */
    static String textStatus(JsonNode r) {
        return r.has("status_text") ? r.path("status_text").asText() : r.path("status").asText();
    }

    private static String pct(MethodStats s, int k) {
        return String.format(Locale.ROOT, "%.0f%% ± %.0f", 100 * s.fraction(k), 100 * s.stderr(k));
    }

    static String duration(double s) {
        if (!Double.isFinite(s)) {
            return "–";
        }
        if (s < 1) {
            return String.format(Locale.ROOT, "%.0f ms", 1e3 * s);
        }
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        return String.format(Locale.ROOT, "%.1f min", s / 60);
    }

    /** The summary table in the papers' shape. */
    public static String summary(String title, String specInfo, List<ObjectNode> runs) {
        List<MethodStats> stats = stats(runs);
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n").append(specInfo).append("\n\n");
        sb.append("| method | runs | critical (‖g‖² < 1e-10) | gradient-flat | other | failed | time per success |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (MethodStats s : stats) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %d | %s |%n", s.method(), s.runs(),
                    pct(s, s.critical()), pct(s, s.flat()), pct(s, s.other()), s.failed(),
                    duration(s.secondsPerSuccess())));
        }
        sb.append("\nFractions are of all runs, ± one standard error √(p(1−p)/n). Time per success is the total "
                + "wall time of the method's runs divided by the number ending critical.\n\n");
        sb.append("| method | max r ≥ 0.5 | max r ≥ 0.9 | max r ≥ 0.99 | not critical, final r > 0.9 |");
        boolean analytic = stats.stream().anyMatch(MethodStats::analytic);
        sb.append(analytic ? " successes on an analytic (loss, index) |\n|---|---:|---:|---:|---:|---:|\n"
                : "\n|---|---:|---:|---:|---:|\n");
        for (MethodStats s : stats) {
            sb.append("| ").append(s.method());
            for (int i = 0; i < R_LEVELS.length; i++) {
                int k = s.maxRAbove()[i];
                if (s.maxRMissing() > 0) {
                    // record.flatness: last: r at the last iterate only, so no max over the run
                    sb.append(" | – (").append(s.maxRMissing()).append(" runs with r at the last iterate only)");
                    continue;
                }
                sb.append(" | ").append(k).append('/').append(s.runs()).append(" (").append(pct(s, k)).append(')');
            }
            sb.append(" | ").append(s.finalRFlat()).append('/').append(s.runs()).append(" (")
                    .append(pct(s, s.finalRFlat())).append(')');
            if (analytic) {
                sb.append(" | ").append(s.analyticMatches()).append('/').append(s.critical());
            }
            sb.append(" |\n");
        }
        sb.append("\nr = ‖Hp + g‖ / (‖H‖_F‖p‖ + ‖g‖) for the Newton direction p (thesis Eq 3.36); a point is "
                + "gradient-flat when r > 0.9 and r_H < 5e-4 at the last iterate. Max r counts the runs that pass "
                + "a point with r at or above the level at any iterate (± one standard error). The last column "
                + "counts the runs ending above the critical cutoff with r > 0.9 whatever r_H (the colouring of the papers' "
                + "Fig 3.6-3.8).\n");
        sb.append(FiguresTable.section(runs));
        return sb.toString();
    }

    /** The analytic critical classes of the deep linear autoencoder, summarized (E1). */
    static String analyticSection(List<AnalyticTable.Row> rows) {
        StringBuilder sb = new StringBuilder("\n## Analytic critical points (analytic.csv)\n\n");
        sb.append("| eigenvectors kept | classes | loss min | loss max | index min | index max | max ‖g‖² |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        int maxSize = rows.stream().mapToInt(AnalyticTable.Row::size).max().orElse(-1);
        for (int size = 0; size <= maxSize; size++) {
            int sz = size;
            List<AnalyticTable.Row> g = rows.stream().filter(r -> r.size() == sz).toList();
            sb.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %s | %s |%n", size, g.size(),
                    Cells.num("%.6f", g.stream().mapToDouble(AnalyticTable.Row::loss).min().orElse(Double.NaN)),
                    Cells.num("%.6f", g.stream().mapToDouble(AnalyticTable.Row::loss).max().orElse(Double.NaN)),
                    Cells.num("%.4f", g.stream().mapToDouble(AnalyticTable.Row::index).min().orElse(Double.NaN)),
                    Cells.num("%.4f", g.stream().mapToDouble(AnalyticTable.Row::index).max().orElse(Double.NaN)),
                    Cells.num("%.2e", g.stream().mapToDouble(AnalyticTable.Row::gradNormSq).max()
                            .orElse(Double.NaN))));
        }
        rows.stream().filter(r -> r.size() == 0).findFirst().ifPresent(z -> sb.append(String.format(Locale.ROOT,
                "%nThe zero point: loss %s, Morse index %s, ‖g‖² %s. %d classes in all.%n",
                Cells.num("%.6f", z.loss()), Cells.num("%.4f", z.index()),
                Cells.num("%.1e", z.gradNormSq()), rows.size())));
        return sb.toString();
    }

    /** A run's trace columns, read from its CSV. */
    record Trace(double[] gradNormSq, double[] r, double[] x, double[] y) {
    }

    /**
     * The trace file a record names, or its gzip-compressed copy (name + ".gz", as results kept in
     * a repository store them), or null when neither exists.
     */
    static Path traceFile(Path dir, String rel) {
        if (rel.isEmpty()) {
            return null;
        }
        Path plain = dir.resolve(rel);
        if (Files.exists(plain)) {
            return plain;
        }
        Path gz = dir.resolve(rel + ".gz");
        return Files.exists(gz) ? gz : null;
    }

    static Trace readTrace(Path file) throws IOException {
        List<String> lines;
        if (file.getFileName().toString().endsWith(".gz")) {
            try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    new java.util.zip.GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
                lines = in.lines().toList();
            }
        } else {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        String[] head = lines.get(0).split(",");
        int gi = Arrays.asList(head).indexOf("grad_norm_sq");
        int ri = Arrays.asList(head).indexOf("r");
        int xi = Arrays.asList(head).indexOf("theta0");
        int yi = Arrays.asList(head).indexOf("theta1");
        int m = lines.size() - 1;
        double[] g = new double[m];
        double[] r = new double[m];
        double[] x = xi < 0 ? null : new double[m];
        double[] y = yi < 0 ? null : new double[m];
        for (int i = 0; i < m; i++) {
            String[] f = lines.get(i + 1).split(",");
            g[i] = num(f, gi);
            r[i] = num(f, ri);
            if (x != null) {
                x[i] = num(f, xi);
                y[i] = num(f, yi);
            }
        }
        return new Trace(g, r, x, y);
    }

    /** Field i of a trace row; NaN when absent or not a number (such points are left out of plots). */
    private static double num(String[] f, int i) {
        if (i < 0 || i >= f.length) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(f[i]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static Color color(String status) {
        PointClass pc = PointClass.fromKey(status);
        return pc == PointClass.CRITICAL ? CRITICAL : pc == PointClass.GRADIENT_FLAT ? FLAT
                : status.equals(RunResult.FAILED) ? FAILED : OTHER;
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(900).height(600).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        return c;
    }

    /** Rebuilds summary.md and every plot of a results directory. */
    public static void rebuild(Path dir) throws IOException {
        Path runsFile = dir.resolve("runs.jsonl");
        if (!Files.exists(runsFile)) {
            throw new SpecException("", dir + " is not a results directory (no runs.jsonl)");
        }
        List<ObjectNode> runs = RunsFile.read(runsFile);
        RunsFile.checkUnique(runs, runsFile);
        String title = "results";
        String info = "";
        Path specFile = dir.resolve("spec.json");
        JsonNode spec = null;
        if (Files.exists(specFile)) {
            spec = RunsFile.JSON.readTree(Files.readString(specFile));
            title = spec.path("name").asText("results");
            info = "- spec: " + spec.path("name").asText() + " (hash " + runs.stream().findFirst()
                    .map(r -> r.path("spec_hash").asText()).orElse("?") + ")\n- problem: "
                    + runs.stream().findFirst().map(r -> r.path("problem").asText()).orElse("?")
                    + "\n- runs recorded: " + runs.size();
        }
        String text = summary(title, info, runs);
        Path analyticCsv = dir.resolve("analytic.csv");
        if (Files.exists(analyticCsv)) {
            text += analyticSection(AnalyticTable.read(analyticCsv));
        }
        text += cutoffSection(runs);
        text += FailureCounts.section(runs);
        text += IndexReport.section(runs);
        Path plots = dir.resolve("plots");
        Files.createDirectories(plots);
        SafePlot.removeStaleTemporaries(plots);
        SafePlot.begin();
        List<String> failed = new ArrayList<>();
        SafePlot.guard(failed, "traces", () -> traces(dir, runs, plots));
        SafePlot.guard(failed, "loss-index", () -> lossIndex(dir, runs, plots));
        SafePlot.guard(failed, "r-cdf", () -> rCdfs(runs, plots));
        SafePlot.guard(failed, "cutoffs", () -> cutoffPlots(dir, runs, plots));
        SafePlot.guard(failed, "density", () -> IndexReport.densityPlots(dir, runs, plots));
        if (spec != null && spec.path("problem").path("kind").asText().equals(ProblemKind.QUARTIC.key())) {
            SafePlot.guard(failed, "quartic", () -> quartic(dir, runs, plots));
        }
        text += SafePlot.section(failed);
        RunsFile.writeAtomically(dir.resolve("summary.md"), text);
        if (!failed.isEmpty()) {
            throw new Outputs.Failure(String.join("; ", failed), null);
        }
    }

    private static void save(XYChart c, Path file) throws IOException {
        SafePlot.save(c, file);
    }

    private static void traces(Path dir, List<ObjectNode> runs, Path plots) throws IOException {
        Map<String, XYChart> g = new LinkedHashMap<>();
        Map<String, XYChart> r = new LinkedHashMap<>();
        java.util.Set<ObjectNode> rRuns = representatives(runs);
        for (ObjectNode run : runs) {
            Path tf = traceFile(dir, run.path("trace").asText(""));
            if (tf == null) {
                continue;
            }
            String m = run.path("method").asText();
            Trace t = readTrace(tf);
            if (t.gradNormSq().length == 0) {
                continue;
            }
            double[] it = new double[t.gradNormSq().length];
            for (int i = 0; i < it.length; i++) {
                it[i] = i;
            }
            double[] gs = t.gradNormSq(); // log axis: exact zeros drawn at SafePlot's floor
            XYChart c = g.computeIfAbsent(m, k -> {
                XYChart ch = chart(k + ": squared gradient norm (green critical, orange gradient-flat, purple other)",
                        "iteration", "‖g‖²");
                ch.getStyler().setYAxisLogarithmic(true);
                ch.getStyler().setYAxisLogarithmicDecadeOnly(true);
                ch.getStyler().setYAxisDecimalPattern("0E0");
                ch.getStyler().setXAxisMaxLabelCount(12);
                return ch;
            });
            XYSeries s = SafePlot.addSeries(c, m + "-" + run.path("run").asInt(), it, gs);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(color(run.path("status").asText()));
            s.setLineStyle(new BasicStroke(1f));
            if (rRuns.contains(run) && !Double.isNaN(t.r()[0])) {
                XYChart rc = r.computeIfAbsent(m, k -> chart(k + ": r along up to " + R_TRACES_PER_CLASS
                        + " runs of each end class (green critical, orange gradient-flat, purple other)", "iteration",
                        "r"));
                XYSeries rs = SafePlot.addSeries(rc, m + "-" + run.path("run").asInt(), it, t.r());
                rs.setMarker(SeriesMarkers.NONE);
                rs.setLineColor(color(run.path("status").asText()));
            }
        }
        for (Map.Entry<String, XYChart> e : g.entrySet()) {
            save(e.getValue(), plots.resolve("grad-norm-" + e.getKey() + ".png"));
        }
        for (Map.Entry<String, XYChart> e : r.entrySet()) {
            save(e.getValue(), plots.resolve("r-" + e.getKey() + ".png"));
        }
    }

    /** The analytic critical points (grey circles) under a loss-index scatter, when the directory has them. */
    private static void addAnalytic(Path dir, XYChart c) throws IOException {
        Path analytic = dir.resolve("analytic.csv");
        if (!Files.exists(analytic)) {
            return;
        }
        List<String> lines = Files.readAllLines(analytic);
        List<String> head = Arrays.asList(lines.get(0).split(","));
        int li = head.indexOf("loss");
        int ii = head.indexOf("index");
        double[] x = new double[lines.size() - 1];
        double[] y = new double[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            x[i - 1] = num(f, ii);
            y[i - 1] = num(f, li);
        }
        XYSeries s = SafePlot.addSeries(c, "analytic", x, y);
        s.setMarkerColor(new Color(0xbbbbbb));
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    /**
     * The runs whose r is drawn: per method, the lowest-numbered {@link #R_TRACES_PER_CLASS} runs of
     * each end class, so that every class is shown whatever order the runs finished in.
     */
    static java.util.Set<ObjectNode> representatives(List<ObjectNode> runs) {
        List<ObjectNode> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingInt(x -> x.path("run").asInt()));
        Map<String, Integer> taken = new LinkedHashMap<>();
        java.util.Set<ObjectNode> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (ObjectNode run : sorted) {
            String key = run.path("method").asText() + "/" + run.path("status").asText();
            if (taken.merge(key, 1, Integer::sum) <= R_TRACES_PER_CLASS) {
                out.add(run);
            }
        }
        return out;
    }

    private static void lossIndex(Path dir, List<ObjectNode> runs, Path plots) throws IOException {
        XYChart c = chart(Files.exists(dir.resolve("analytic.csv"))
                ? "loss and Morse index of end points (grey: analytic critical points)"
                : "loss and Morse index of end points", "Morse index", "loss");
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(7);
        addAnalytic(dir, c);
        for (String status : new String[] {PointClass.OTHER.key(), PointClass.GRADIENT_FLAT.key(),
                PointClass.CRITICAL.key()}) {
            List<double[]> pts = new ArrayList<>();
            for (ObjectNode r : runs) {
                if (r.path("status").asText().equals(status) && r.path("index").isNumber()
                        && r.path("loss").isNumber()) {
                    pts.add(new double[] {r.path("index").asDouble(), r.path("loss").asDouble()});
                }
            }
            if (pts.isEmpty()) {
                continue;
            }
            double[] x = pts.stream().mapToDouble(p -> p[0]).toArray();
            double[] y = pts.stream().mapToDouble(p -> p[1]).toArray();
            XYSeries s = SafePlot.addSeries(c, status, x, y);
            s.setMarkerColor(color(status));
            s.setMarker(SeriesMarkers.DIAMOND);
        }
        c.getStyler().setLegendVisible(true);
        if (!c.getSeriesMap().isEmpty()) {
            save(c, plots.resolve("loss-index.png"));
        }
    }

    /** "1e-10", or "∞ (start)" for the start point. */
    static String cutoffLabel(JsonNode cutoff) {
        return cutoff.isNumber() ? String.format(Locale.ROOT, "%.0e", cutoff.asDouble()).replace("e-0", "e-")
                : "∞ (start)";
    }

    /** Per method and cutoff ε: the runs' first iterates with ‖g‖² < ε (thesis Fig 3.3). */
    static String cutoffSection(List<ObjectNode> runs) {
        Map<String, Map<String, int[]>> by = new LinkedHashMap<>();
        boolean analytic = false;
        for (ObjectNode r : runs) {
            for (JsonNode c : r.path("cutoffs")) {
                int[] k = by.computeIfAbsent(r.path("method").asText(), m -> new LinkedHashMap<>())
                        .computeIfAbsent(cutoffLabel(c.path("cutoff")), l -> new int[4]);
                k[0]++;
                if (c.path("iteration").isNumber()) {
                    k[1]++;
                }
                if (c.has("analytic_match")) {
                    analytic = true;
                    k[2]++;
                    if (c.path("analytic_match").asBoolean()) {
                        k[3]++;
                    }
                }
            }
        }
        if (by.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\n## Cutoffs (thesis Fig 3.3)\n\nEach run truncated at its first iterate with "
                + "‖g‖² < ε (∞: the start point), and the loss and Morse index there.\n\n");
        sb.append(analytic ? "| method | ε | runs reaching ε | on an analytic (loss, index) |\n|---|---|---:|---:|\n"
                : "| method | ε | runs reaching ε |\n|---|---|---:|\n");
        for (Map.Entry<String, Map<String, int[]>> m : by.entrySet()) {
            for (Map.Entry<String, int[]> e : m.getValue().entrySet()) {
                int[] k = e.getValue();
                sb.append(String.format(Locale.ROOT, "| %s | %s | %d/%d |", m.getKey(), e.getKey(), k[1], k[0]));
                if (analytic) {
                    sb.append(String.format(Locale.ROOT, " %d/%d (%.0f%%) |", k[3], k[2],
                            k[2] == 0 ? 0.0 : 100.0 * k[3] / k[2]));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** One panel per cutoff, per method: loss against index at the first iterate below ε, over the analytic points. */
    private static void cutoffPlots(Path dir, List<ObjectNode> runs, Path plots) throws IOException {
        Map<String, Map<String, List<JsonNode>>> by = new LinkedHashMap<>();
        for (ObjectNode r : runs) {
            for (JsonNode c : r.path("cutoffs")) {
                List<JsonNode> pts = by.computeIfAbsent(r.path("method").asText(), m -> new LinkedHashMap<>())
                        .computeIfAbsent(cutoffLabel(c.path("cutoff")), l -> new ArrayList<>());
                if (c.path("index").isNumber() && c.path("loss").isNumber()) {
                    pts.add(c);
                }
            }
        }
        for (Map.Entry<String, Map<String, List<JsonNode>>> m : by.entrySet()) {
            // shared axes, as in Fig 3.3: the analytic points and every panel's points
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            double xhi = 0;
            for (List<JsonNode> pts : m.getValue().values()) {
                for (JsonNode p : pts) {
                    lo = Math.min(lo, p.path("loss").asDouble());
                    hi = Math.max(hi, p.path("loss").asDouble());
                    xhi = Math.max(xhi, p.path("index").asDouble());
                }
            }
            Path analytic = dir.resolve("analytic.csv");
            if (Files.exists(analytic)) {
                for (AnalyticTable.Row row : AnalyticTable.read(analytic)) {
                    lo = Math.min(lo, row.loss());
                    hi = Math.max(hi, row.loss());
                    xhi = Math.max(xhi, row.index());
                }
            }
            double pad = 0.05 * (hi - lo);
            List<java.awt.image.BufferedImage> panels = new ArrayList<>();
            for (Map.Entry<String, List<JsonNode>> e : m.getValue().entrySet()) {
                XYChart c = new XYChartBuilder().width(520).height(420).title("ε = " + e.getKey())
                        .xAxisTitle("Morse index").yAxisTitle("loss").build();
                c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                c.getStyler().setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE)
                        .setLegendVisible(true).setMarkerSize(6);
                if (hi > lo) {
                    c.getStyler().setYAxisMin(lo - pad).setYAxisMax(hi + pad);
                }
                c.getStyler().setXAxisMin(0.0).setXAxisMax(xhi <= 0.5 ? 0.5 : 1.0);
                addAnalytic(dir, c);
                for (boolean match : new boolean[] {false, true}) {
                    double[][] xy = e.getValue().stream()
                            .filter(p -> p.path("analytic_match").asBoolean(false) == match)
                            .map(p -> new double[] {p.path("index").asDouble(), p.path("loss").asDouble()})
                            .toArray(double[][]::new);
                    if (xy.length > 0) {
                        XYSeries s = SafePlot.addSeries(c, match ? "on an analytic point" : "elsewhere",
                                Arrays.stream(xy).mapToDouble(p -> p[0]).toArray(),
                                Arrays.stream(xy).mapToDouble(p -> p[1]).toArray());
                        s.setMarker(SeriesMarkers.DIAMOND);
                        s.setMarkerColor(match ? CRITICAL : FLAT);
                    }
                }
                if (!c.getSeriesMap().isEmpty()) {
                    panels.add(SafePlot.image(c, "loss-index-cutoffs-" + m.getKey() + ".png"));
                }
            }
            if (panels.isEmpty()) {
                continue;
            }
            int cols = Math.min(2, panels.size());
            int rows = (panels.size() + cols - 1) / cols;
            int w = panels.get(0).getWidth();
            int h = panels.get(0).getHeight();
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(cols * w, rows * h,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            for (int i = 0; i < panels.size(); i++) {
                g.drawImage(panels.get(i), (i % cols) * w, (i / cols) * h, null);
            }
            g.dispose();
            SafePlot.write(img, plots.resolve("loss-index-cutoffs-" + m.getKey() + ".png"));
        }
    }

    /**
     * The heights of an empirical CDF of {@code k} sorted values over all {@code runs} runs of a
     * method: (i + 1) / runs, so the curve tops out at the share of runs that have a value
     * (critical runs have no final r).
     */
    static double[] cdfOverAllRuns(int k, int runs) {
        double[] y = new double[k];
        for (int i = 0; i < k; i++) {
            y[i] = (i + 1.0) / runs;
        }
        return y;
    }

    private static void rCdfs(List<ObjectNode> runs, Path plots) throws IOException {
        XYChart c = chart("CDF of final r (solid) and maximal r (dashed) over all runs of each method (runs without "
                + "an r, e.g. critical ones, never enter)", "r", "fraction of runs");
        c.getStyler().setLegendVisible(true);
        for (MethodStats s : stats(runs)) {
            for (String key : new String[] {"final_r", "max_r"}) {
                double[] v = runs.stream().filter(r -> r.path("method").asText().equals(s.method()))
                        .mapToDouble(r -> r.path(key).asDouble(Double.NaN)).filter(Double::isFinite).sorted().toArray();
                if (v.length == 0) {
                    continue;
                }
                double[] y = cdfOverAllRuns(v.length, s.runs());
                XYSeries ser = SafePlot.addSeries(c, s.method() + " " + key, v, y);
                ser.setMarker(SeriesMarkers.NONE);
                if (key.equals("max_r")) {
                    ser.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                            new float[] {6f, 4f}, 0f));
                }
            }
        }
        if (!c.getSeriesMap().isEmpty()) {
            save(c, plots.resolve("r-cdf.png"));
        }
    }

    private static void quartic(Path dir, List<ObjectNode> runs, Path plots) throws IOException {
        XYChart c = chart("Newton trajectories on the quartic (contours of f; dots: end points)", "x", "y");
        c.getStyler().setXAxisMin(-4.0).setXAxisMax(4.0).setYAxisMin(-3.0).setYAxisMax(3.0);
        // contour lines of f by marching along a grid: draw level sets as point clouds of |f − c| small
        double[] levels = {20, 30, 40, 50, 60, 80, 100, 130};
        for (double lv : levels) {
            List<double[]> pts = new ArrayList<>();
            int gn = 400;
            for (int i = 0; i <= gn; i++) {
                double x = -4 + 8.0 * i / gn;
                // solve 0.9y⁴ + 5y² + (g(x) − lv) = 0 for y ≥ 0 in closed form
                double gx = x * x * x * x / 4 - 3 * x * x + 9 * x + 40 - lv;
                double disc = 25 - 3.6 * gx;
                if (disc < 0) {
                    continue;
                }
                double u = (-5 + Math.sqrt(disc)) / 1.8;
                if (u < 0) {
                    continue;
                }
                double y = Math.sqrt(u);
                pts.add(new double[] {x, y});
                pts.add(new double[] {x, -y});
            }
            if (!pts.isEmpty()) {
                XYSeries s = SafePlot.addSeries(c, "f=" + lv, pts.stream().mapToDouble(p -> p[0]).toArray(),
                        pts.stream().mapToDouble(p -> p[1]).toArray());
                s.setShowInLegend(false);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(new Color(0xdddddd));
            }
        }
        c.getStyler().setLegendVisible(true);
        java.util.Set<String> legend = new java.util.HashSet<>();
        for (ObjectNode run : runs) {
            Path tf = traceFile(dir, run.path("trace").asText(""));
            if (tf == null) {
                continue;
            }
            Trace t = readTrace(tf);
            if (t.x() == null || t.x().length == 0) {
                continue;
            }
            String st = run.path("status").asText();
            boolean first = legend.add(st); // one legend entry per end class
            XYSeries s = SafePlot.addSeries(c, first ? st : "run-" + run.path("method").asText() + "-"
                    + run.path("run").asInt(), t.x(), t.y());
            s.setShowInLegend(first);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(color(run.path("status").asText()));
            XYSeries end = SafePlot.addSeries(c, "end-" + run.path("method").asText() + "-" + run.path("run").asInt(),
                    new double[] {t.x()[t.x().length - 1]}, new double[] {t.y()[t.y().length - 1]});
            end.setShowInLegend(false);
            end.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            end.setMarker(SeriesMarkers.CIRCLE);
            end.setMarkerColor(color(run.path("status").asText()));
        }
        save(c, plots.resolve("quartic-trajectories.png"));
    }
}
