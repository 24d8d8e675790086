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

    /**
     * Absolute loss tolerance added to the relative one: near a minimum with ‖g‖² < 1e-10 the
     * loss is within ‖g‖²/(2λ_min) of the minimum's; far below any loss a network reaches.
     */
    static final double LOSS_FLOOR = 1e-10;

    private AnalyticTable() {
    }

    public static List<Row> compute(Problem problem, Backend backend) {
        DeepLinearAutoencoder ae = problem.deepLinearAutoencoder();
        if (ae != null) {
            return compute(ae, backend);
        }
        List<double[]> pts = problem.knownCriticalPoints();
        return pts.isEmpty() ? List.of() : compute(problem.program(), pts, backend);
    }

    /** The table of a user problem's known critical points (size 0, subset "p1", "p2", …). */
    static List<Row> compute(dev.morse.ad.Program program, List<double[]> points, Backend backend) {
        List<Row> rows = new ArrayList<>();
        int n = program.nParams();
        try (Plan plan = Plan.compile(program, backend);
             HessianOperator h = new HessianOperator(backend, n, HessianOperator.Mode.DENSE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(backend, n)) {
            for (int i = 0; i < points.size(); i++) {
                Linearization lin = plan.at(points.get(i));
                h.bind(lin);
                MorseIndex.Spectrum s = MorseIndex.spectrum(h, ws);
                double idx = s.status().ok() ? s.index(MorseIndex.DEFAULT_THRESHOLD).index() : Double.NaN;
                rows.add(new Row(0, "p" + (i + 1), lin.value(), idx, lin.gradNormSq()));
            }
        }
        return rows;
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
            // LOSS_FLOOR: a point of loss 0 (a global minimum) is matched by losses below it
            if (Math.abs(r.loss() - loss) <= lossTol * Math.abs(r.loss()) + LOSS_FLOOR
                    && Math.abs(r.index() - index) <= indexTol) {
                return true;
            }
        }
        return false;
    }
}
