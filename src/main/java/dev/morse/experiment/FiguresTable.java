package dev.morse.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.morse.index.PointClass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary table "as the figures computed it": the papers' Figs 3.6-3.8 were drawn by the
 * authors' notebooks with definitions that differ from the thesis text's. There r is
 * MINRES-QLP's relres = ‖Hp + g‖ / (Anorm‖p‖ + ‖g‖) with its own ‖H‖ estimate Anorm (not
 * ‖H‖_F), maximal r is taken over the steps whose solve ended on flag 2 only, a point is
 * critical when ‖g‖² < 1e-8 (not 1e-10), flat when its final relres exceeds 0.9 (no r_H
 * test), and the index counts eigenvalues below −1e-3 (not −1e-5). Reads the records'
 * {@code status_figures}, {@code final_relres}, {@code max_relres} and {@code index_1e3}.
 */
final class FiguresTable {
    /** The flatness level of the figures (their GFP_CUTOFF). */
    static final double FLAT_RELRES = 0.9;

    private FiguresTable() {
    }

    /** Counts of one method's runs under the figures' definitions. */
    record Counts(String method, int runs, int critical, int flat, int other, int finalFlat, int maxFlat,
                  int withFlag2, int indexed) {
        double fraction(int k) {
            return runs == 0 ? Double.NaN : (double) k / runs;
        }

        /** Binomial standard error √(p(1−p)/n). */
        double stderr(int k) {
            double p = fraction(k);
            return Math.sqrt(p * (1 - p) / runs);
        }
    }

    static List<Counts> counts(List<ObjectNode> runs) {
        Map<String, List<ObjectNode>> by = new LinkedHashMap<>();
        for (ObjectNode r : runs) {
            by.computeIfAbsent(r.path("method").asText(), k -> new ArrayList<>()).add(r);
        }
        List<Counts> out = new ArrayList<>();
        for (Map.Entry<String, List<ObjectNode>> e : by.entrySet()) {
            int crit = 0;
            int flat = 0;
            int other = 0;
            int finalFlat = 0;
            int maxFlat = 0;
            int flag2 = 0;
            int indexed = 0;
            for (ObjectNode r : e.getValue()) {
                PointClass pc = PointClass.fromKey(r.path("status_figures").asText());
                if (pc == PointClass.CRITICAL) {
                    crit++;
                } else if (pc == PointClass.GRADIENT_FLAT) {
                    flat++;
                } else {
                    other++;
                }
                if (number(r, "final_relres") > FLAT_RELRES) {
                    finalFlat++;
                }
                double m = number(r, "max_relres");
                if (!Double.isNaN(m)) {
                    flag2++;
                    if (m > FLAT_RELRES) {
                        maxFlat++;
                    }
                }
                if (r.path("index_1e3").isNumber()) {
                    indexed++;
                }
            }
            out.add(new Counts(e.getKey(), e.getValue().size(), crit, flat, other, finalFlat, maxFlat, flag2, indexed));
        }
        return out;
    }

    private static double number(JsonNode r, String key) {
        JsonNode v = r.path(key);
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** The markdown section; empty when no record carries the figures' fields (older results). */
    static String section(List<ObjectNode> runs) {
        if (runs.stream().noneMatch(r -> r.has("status_figures"))) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\n## As the figures computed it\n\n");
        sb.append("The tables above use the thesis text's definitions. The papers' Figs 3.6-3.8 were computed "
                + "(the authors' notebooks) with MINRES-QLP's relres = ‖Hp + g‖ / (Anorm‖p‖ + ‖g‖), Anorm its own "
                + "‖H‖ estimate, for r; critical at ‖g‖² < 1e-8; flat when the final relres exceeds 0.9 (no r_H "
                + "test); maximal r over the steps whose solve ended on flag 2 only; index at λ < −1e-3 "
                + "(`index_1e3` in runs.jsonl).\n\n");
        sb.append("| method | runs | critical (‖g‖² < 1e-8) | flat (relres > 0.9, not critical) | other "
                + "| final relres > 0.9 | max relres > 0.9 (flag-2 steps) | runs with a flag-2 step |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Counts c : counts(runs)) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %d |%n", c.method(), c.runs(),
                    pct(c, c.critical()), pct(c, c.flat()), pct(c, c.other()), pct(c, c.finalFlat()),
                    pct(c, c.maxFlat()), c.withFlag2()));
        }
        sb.append("\nFractions are of all runs, ± one standard error √(p(1−p)/n); a run without a flag-2 step "
                + "counts as not passing max relres > 0.9.\n");
        return sb.toString();
    }

    private static String pct(Counts c, int k) {
        return String.format(Locale.ROOT, "%d (%.0f%% ± %.0f)", k, 100 * c.fraction(k), 100 * c.stderr(k));
    }
}
