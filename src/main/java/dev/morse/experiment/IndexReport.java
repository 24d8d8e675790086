package dev.morse.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
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
 * The Morse index part of a results directory's summary: per method and end class the route,
 * the index distribution with its band and threshold, the cost; one line per run naming its
 * route; and the SLQ densities (log density, −threshold marked) as plots.
 */
final class IndexReport {
    /** Runs listed one per line in the summary (the first by method and run number). */
    static final int LISTED_RUNS = 200;
    /** Densities overlaid per plot. */
    static final int DENSITIES_PER_PLOT = 8;

    private IndexReport() {
    }

    /** The summary section, or "" when no record carries an index route (older results). */
    static String section(List<ObjectNode> runs) {
        List<ObjectNode> withIdx = runs.stream().filter(r -> r.has("index_method")).toList();
        if (withIdx.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\n## Morse index\n\n");
        sb.append("| method | end | runs | route | exact | index min / median / max | mean band width | δ used (asked) |"
                + " index time per run | HVPs per run |\n|---|---|---:|---|---:|---|---:|---|---:|---:|\n");
        Map<String, List<ObjectNode>> by = new LinkedHashMap<>();
        for (ObjectNode r : withIdx) {
            by.computeIfAbsent(r.path("method").asText() + "\u0000" + r.path("status").asText(), k -> new ArrayList<>())
                    .add(r);
        }
        for (Map.Entry<String, List<ObjectNode>> e : by.entrySet()) {
            String[] key = e.getKey().split("\u0000");
            List<ObjectNode> g = e.getValue();
            double[] idx = g.stream().filter(r -> r.path("index").isNumber()).mapToDouble(r -> r.path("index").asDouble())
                    .sorted().toArray();
            long exact = g.stream().filter(r -> r.path("index_exact").asBoolean(false)).count();
            double width = g.stream().filter(r -> r.path("index_high").isNumber())
                    .mapToDouble(r -> r.path("index_high").asDouble() - r.path("index_low").asDouble()).average()
                    .orElse(Double.NaN);
            String routes = String.join(", ", g.stream().map(r -> r.path("index_method").asText()).distinct().toList());
            String deltas = String.join(", ", g.stream().map(r -> delta(r)).distinct().limit(4).toList());
            double secs = g.stream().mapToDouble(r -> r.path("index_seconds").asDouble(0)).average().orElse(0);
            double hvps = g.stream().mapToDouble(r -> r.path("index_hvps").asDouble(0)).average().orElse(0);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %d | %s | %s | %s | %s | %.0f |%n", key[0], key[1],
                    g.size(), routes, exact, idx.length == 0 ? "–" : String.format(Locale.ROOT, "%.4g / %.4g / %.4g",
                            idx[0], idx[idx.length / 2], idx[idx.length - 1]),
                    Double.isFinite(width) ? String.format(Locale.ROOT, "%.3g", width) : "–", deltas,
                    Report.duration(secs), hvps));
        }
        sb.append("\nThe index is the fraction of Hessian eigenvalues below −δ. Exact routes (spectrum, inertia, and "
                + "lanczos / slq when Lanczos with locking finds every eigenvalue below −δ) have no band; slq gives "
                + "the mean over probes of the Gauss rule's fraction and the band [low, high] from the "
                + "Chebyshev-Markov-Stieltjes bounds averaged over probes and widened by their sampling error "
                + "(Student t standard errors, at least √(2p(1−p)/(N·probes))), at a δ "
                + "raised (when needed) to where the quadrature resolves −δ (docs/SPEC.md, index:).\n\n");
        sb.append("| run | method | end | loss | index [low, high] | δ | route |\n|---:|---|---|---:|---|---:|---|\n");
        List<ObjectNode> sorted = new ArrayList<>(withIdx);
        sorted.sort((a, b) -> a.path("method").asText().equals(b.path("method").asText())
                ? Integer.compare(a.path("run").asInt(), b.path("run").asInt())
                : a.path("method").asText().compareTo(b.path("method").asText()));
        for (ObjectNode r : sorted.subList(0, Math.min(LISTED_RUNS, sorted.size()))) {
            String band = !r.path("index").isNumber() ? "–"
                    : r.path("index_exact").asBoolean(false) ? String.format(Locale.ROOT, "%.4g (exact)", r.path("index").asDouble())
                    : String.format(Locale.ROOT, "%.4g [%.4g, %.4g]", r.path("index").asDouble(),
                            r.path("index_low").asDouble(), r.path("index_high").asDouble());
            sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %.6g | %s | %s | %s |%n", r.path("run").asInt(),
                    r.path("method").asText(), r.path("status").asText(), r.path("loss").asDouble(Double.NaN), band,
                    delta(r), r.path("index_method").asText()));
        }
        if (sorted.size() > LISTED_RUNS) {
            sb.append("\n(").append(sorted.size() - LISTED_RUNS).append(" more runs in runs.jsonl)\n");
        }
        return sb.toString();
    }

    private static String delta(ObjectNode r) {
        double used = r.path("index_threshold").asDouble(Double.NaN);
        double asked = r.path("index_threshold_asked").asDouble(used);
        return used == asked ? String.format(Locale.ROOT, "%.3g", used)
                : String.format(Locale.ROOT, "%.3g (%.3g)", used, asked);
    }

    /** One plot per method: the log10 SLQ densities of up to {@value #DENSITIES_PER_PLOT} runs, −δ marked. */
    static void densityPlots(Path dir, List<ObjectNode> runs, Path plots) throws IOException {
        Map<String, List<ObjectNode>> by = new LinkedHashMap<>();
        for (ObjectNode r : runs) {
            if (r.has("density") && Files.exists(dir.resolve(r.path("density").asText()))) {
                by.computeIfAbsent(r.path("method").asText(), k -> new ArrayList<>()).add(r);
            }
        }
        for (Map.Entry<String, List<ObjectNode>> e : by.entrySet()) {
            List<ObjectNode> g = new ArrayList<>(e.getValue());
            g.sort((a, b) -> Integer.compare(a.path("run").asInt(), b.path("run").asInt()));
            List<String> labels = new ArrayList<>();
            List<double[][]> curves = new ArrayList<>();
            double delta = Double.NaN;
            for (ObjectNode r : g.subList(0, Math.min(DENSITIES_PER_PLOT, g.size()))) {
                curves.add(readDensity(dir.resolve(r.path("density").asText())));
                labels.add("run " + r.path("run").asInt() + " (" + r.path("status").asText() + ")");
                delta = r.path("index_threshold").asDouble(Double.NaN);
            }
            XYChart c = densityChart(e.getKey() + ": spectral density (SLQ, Gaussian-smoothed)", labels, curves, delta);
            SafePlot.save(c, plots.resolve("density-" + e.getKey() + ".png"));
        }
    }

    /** log10 of the densities against the eigenvalue, a vertical line at −δ (δ NaN: none). */
    static XYChart densityChart(String title, List<String> labels, List<double[][]> curves, double delta) {
        XYChart c = new XYChartBuilder().width(900).height(600).title(title).xAxisTitle("eigenvalue")
                .yAxisTitle("log10 density").build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < curves.size(); i++) {
            double[][] d = curves.get(i);
            double max = Arrays.stream(d[1]).max().orElse(1);
            double[] y = new double[d[1].length];
            for (int j = 0; j < y.length; j++) {
                y[j] = Math.log10(Math.max(d[1][j], 1e-12 * max));
                lo = Math.min(lo, y[j]);
                hi = Math.max(hi, y[j]);
            }
            XYSeries s = SafePlot.addSeries(c, labels.get(i), d[0], y);
            s.setMarker(SeriesMarkers.NONE);
        }
        if (Double.isFinite(delta) && Double.isFinite(lo)) {
            XYSeries s = c.addSeries(String.format(Locale.ROOT, "−δ = %.3g", -delta), new double[] {-delta, -delta},
                    new double[] {lo, hi});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(Color.BLACK);
            s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        return c;
    }

    static double[][] readDensity(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        double[] t = new double[lines.size() - 1];
        double[] d = new double[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            t[i - 1] = Double.parseDouble(f[0]);
            d[i - 1] = Double.parseDouble(f[1]);
        }
        return new double[][] {t, d};
    }
}
