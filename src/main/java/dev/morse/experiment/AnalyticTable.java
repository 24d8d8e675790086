package dev.morse.experiment;

import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.index.HessianOperator;
import dev.morse.index.MorseIndex;
import dev.morse.problems.DeepLinearAutoencoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The deep linear autoencoder's analytic critical classes with their loss, Morse index
 * (threshold −1e-5, from the Hessian spectrum at the representative point) and squared
 * gradient norm, as {@code analytic.csv}; and the matching of a run's end point to them.
 */
public final class AnalyticTable {
    /** One class: its size (eigenvectors kept), subset, loss, index, squared gradient norm. */
    public record Row(int size, String subset, double loss, double index, double gradNormSq) {
    }

    private AnalyticTable() {
    }

    public static List<Row> compute(Problem problem, Backend backend) {
        DeepLinearAutoencoder ae = problem.deepLinearAutoencoder();
        return ae == null ? List.of() : compute(ae, backend);
    }

    /** The table of one deep linear autoencoder, its Hessians on {@code backend}. */
    public static List<Row> compute(DeepLinearAutoencoder ae, Backend backend) {
        List<DeepLinearAutoencoder.AnalyticPoint> pts = ae.analyticPoints();
        List<Row> rows = new ArrayList<>();
        int n = ae.nParams();
        try (Plan plan = Plan.compile(ae.program(), backend);
             HessianOperator h = new HessianOperator(backend, n, HessianOperator.Mode.DENSE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(backend, n)) {
            for (DeepLinearAutoencoder.AnalyticPoint p : pts) {
                Linearization lin = plan.at(p.theta());
                h.bind(lin);
                MorseIndex.Spectrum s = MorseIndex.spectrum(h, ws);
                double idx = s.status().ok() ? s.index(MorseIndex.DEFAULT_THRESHOLD).index() : Double.NaN;
                StringBuilder sub = new StringBuilder();
                for (int i : p.subset()) {
                    sub.append(sub.length() == 0 ? "" : " ").append(i);
                }
                rows.add(new Row(p.size(), sub.toString(), lin.value(), idx, lin.gradNormSq()));
            }
        }
        return rows;
    }

    public static void write(Path file, List<Row> rows) throws IOException {
        StringBuilder sb = new StringBuilder("size,subset,loss,index,grad_norm_sq\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%d,%s,%.17g,%.17g,%.6e%n", r.size(), r.subset(), r.loss(), r.index(),
                    r.gradNormSq()));
        }
        RunsFile.writeAtomically(file, sb.toString());
    }

    public static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            rows.add(new Row(Integer.parseInt(f[0]), f[1], Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                    Double.parseDouble(f[4])));
        }
        return rows;
    }

    /** Whether (loss, index) is an analytic class's: loss within a relative tolerance and the same index. */
    public static boolean matches(List<Row> rows, double loss, double index, double lossTol, double indexTol) {
        for (Row r : rows) {
            if (Math.abs(r.loss() - loss) <= lossTol * Math.abs(r.loss()) && Math.abs(r.index() - index) <= indexTol) {
                return true;
            }
        }
        return false;
    }
}
