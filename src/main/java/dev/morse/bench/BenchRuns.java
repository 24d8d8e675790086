package dev.morse.bench;

import dev.morse.bench.HvpBench.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several whole runs of {@code morse bench hvp} (each a directory with its hvp.csv) as one
 * table: per network, implementation and operation, the median over runs of each run's
 * median, with the least and the greatest run median as the range. Runs are separate
 * processes on the same machine, so the range is what a reader should expect between runs,
 * which the within-run spread of one hvp.csv does not show.
 */
public final class BenchRuns {
    private BenchRuns() {
    }

    /** One run's rows, as its hvp.csv holds them. */
    public static List<Row> readHvpCsv(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty() || !lines.get(0).startsWith("network,implementation,operation,median_s")) {
            throw new IllegalArgumentException(csv + ": not an hvp.csv of morse bench hvp (its header is missing)");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length != 7) {
                throw new IllegalArgumentException(csv + ":" + (i + 1) + ": expected 7 fields, got " + f.length);
            }
            try {
                rows.add(new Row(f[0], f[1], f[2], new Timing(Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                        Double.parseDouble(f[5]), Integer.parseInt(f[6]))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(csv + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        return rows;
    }

    /**
     * Rows present in every run, each a {@link Timing} over the runs: median of the run
     * medians, min and max of the run medians, reps = the number of runs. A row missing from
     * some run (a network one run skipped) is left out, so every figure is over all runs.
     */
    public static List<Row> combine(List<List<Row>> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to combine");
        }
        Map<String, double[]> medians = new LinkedHashMap<>();
        Map<String, Row> first = new LinkedHashMap<>();
        for (int r = 0; r < runs.size(); r++) {
            for (Row row : runs.get(r)) {
                String key = row.network() + "|" + row.implementation() + "|" + row.operation();
                double[] m = medians.computeIfAbsent(key, k -> filled(runs.size()));
                if (!Double.isNaN(m[r])) {
                    throw new IllegalArgumentException("run " + (r + 1) + " has two rows for " + key.replace('|', ' '));
                }
                m[r] = row.t().medianS();
                first.putIfAbsent(key, row);
            }
        }
        List<Row> out = new ArrayList<>();
        for (Map.Entry<String, double[]> e : medians.entrySet()) {
            double[] m = e.getValue();
            boolean all = true;
            for (double v : m) {
                all &= !Double.isNaN(v);
            }
            if (!all) {
                continue;
            }
            Timing t = Timing.of(m);
            Row f = first.get(e.getKey());
            out.add(new Row(f.network(), f.implementation(), f.operation(), t));
        }
        return out;
    }

    private static double[] filled(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }

    /** The network spec (with its flags) that wrote {@code name} in hvp.csv: a standard one, else the name itself. */
    public static HvpBench.Net net(String name) {
        for (String s : HvpBench.NETWORKS) {
            HvpBench.Net n = HvpBench.Net.parse(s);
            if (n.name().equals(name)) {
                return n;
            }
        }
        return HvpBench.Net.parse(name);
    }
}
