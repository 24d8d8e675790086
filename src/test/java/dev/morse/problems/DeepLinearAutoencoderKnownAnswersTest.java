package dev.morse.problems;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.data.Dataset;
import dev.morse.data.Gaussian;
import dev.morse.experiment.AnalyticTable;
import dev.morse.index.HessianOperator;
import dev.morse.index.MorseIndex;
import dev.morse.newton.NewtonMr;
import dev.morse.optim.Run;
import dev.morse.testing.SingleBlasThread;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * E1 known answers (thesis §3.2, Thm 3.2, Fig 3.1): the deep linear autoencoder 16 → 4 → 16 on
 * E1's full data (10000 samples of N(0, diag(1..16)), centered; the loss is evaluated in its
 * sufficient-statistics form, so the sample count costs nothing per pass), its 2517 analytic
 * critical classes as tabulated by {@link AnalyticTable}, and Newton-MR returning to them.
 */
class DeepLinearAutoencoderKnownAnswersTest {
    private static final int P = Gaussian.E1_D;
    private static final int K = 4;
    private static final int N = 2 * P * K;
    /** Σ_{i≤4} C(16, i). */
    private static final int CLASSES = 1 + 16 + 120 + 560 + 1820;
    /**
     * ‖g‖² at an analytic representative: its eigenvectors come from dsyevd, accurate to ~1e-15,
     * so g is rounding of order 1e-15·‖C‖ and ‖g‖² ~ 1e-29 (the published ~1e-32 is the same
     * rounding); 1e-20 leaves room, and is far below any non-critical point's.
     */
    private static final double ANALYTIC_GRAD_TOL = 1e-20;
    /** A run ends as a critical point below this ‖g‖² (DESIGN, thesis §3.2.3). */
    private static final double CRITICAL = 1e-10;
    /** Losses computed by the engine and by a formula, each a sum of ~10⁵ roundings of size ≤ 1e-16. */
    private static final double LOSS_REL_TOL = 1e-12;
    /**
     * tr(C)/16 is the sample estimate of 8.5; its standard deviation for n = 10⁴ is
     * √(2·Σσ⁴/n)/16 ≈ 0.034: six of those.
     */
    private static final double SAMPLING_TOL = 0.2;
    /**
     * Newton-MR's end loss against the analytic class's: a point with ‖g‖² < 1e-10 on the
     * critical manifold lies within ~1e-5 of it, where the loss (flat along the manifold,
     * quadratic across it) differs by ≲ 1e-10 relative (observed: a few 1e-16).
     */
    private static final double NEWTON_LOSS_REL_TOL = 1e-10;
    /** Seeded N(0, PERTURBATION²) noise added to the analytic point Newton-MR starts from. */
    private static final double PERTURBATION = 1e-3;

    private static CpuBackend be;
    private static Dataset data;
    private static DeepLinearAutoencoder ae;
    private static List<DeepLinearAutoencoder.AnalyticPoint> points;
    private static List<AnalyticTable.Row> table;

    @BeforeAll
    static void tabulate() {
        be = new CpuBackend();
        data = Gaussian.e1(1);
        ae = new DeepLinearAutoencoder(data.features(), data.n(), data.d(), K);
        points = ae.analyticPoints();
        // 2517 Hessians and 128×128 eigendecompositions, on one BLAS thread (see SingleBlasThread)
        try (SingleBlasThread one = new SingleBlasThread()) {
            table = AnalyticTable.compute(ae, be);
        }
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /**
     * The Morse index of the representative of a subset S (|S| = s, eigen-indices in ascending
     * eigenvalue order), counted from the second-order expansion of the loss there:
     * each chosen u_i with an unchosen u_j of larger eigenvalue gives one descent direction
     * (turning u_i towards u_j), and each of the k − s unused hidden units gives one per
     * unchosen u_j (its (W1 row, W2 column) block along u_j is [[0, −2λ_j/p], [−2λ_j/p, 0]]).
     */
    private static double closedFormIndex(int[] subset) {
        boolean[] chosen = new boolean[P];
        for (int i : subset) {
            chosen[i] = true;
        }
        int negative = (K - subset.length) * (P - subset.length);
        for (int i : subset) {
            for (int j = i + 1; j < P; j++) {
                if (!chosen[j]) {
                    negative++;
                }
            }
        }
        return (double) negative / N;
    }

    @Test
    void analyticTableHasEveryClassWithItsLossAndIndex() {
        assertEquals(CLASSES, points.size());
        assertEquals(CLASSES, table.size());
        double maxGradNormSq = 0;
        for (int c = 0; c < CLASSES; c++) {
            AnalyticTable.Row row = table.get(c);
            DeepLinearAutoencoder.AnalyticPoint pt = points.get(c);
            String at = "class " + c + " {" + row.subset() + "}";
            assertEquals(pt.size(), row.size(), at);
            // the engine's loss at the representative is (tr C − Σ_{i∈S} λ_i)/p
            assertEquals(pt.loss(), row.loss(), LOSS_REL_TOL * pt.loss(), at);
            assertEquals(closedFormIndex(pt.subset()), row.index(), 0.0, at);
            assertTrue(row.gradNormSq() < ANALYTIC_GRAD_TOL, at + ": ‖g‖² = " + row.gradNormSq());
            maxGradNormSq = Math.max(maxGradNormSq, row.gradNormSq());
        }
        // measured, not written as zeros: away from θ = 0 the representatives carry eigenvector rounding
        assertTrue(maxGradNormSq > 0, "max ‖g‖² over the analytic points " + maxGradNormSq);
    }

    @Test
    void zeroPointHasLossTraceOverPAndIndexOneHalf() {
        // tr(C)/p straight from the data: the features are centered, so tr C = Σ x²/n
        double[] x = data.features();
        double sumSq = 0;
        for (double v : x) {
            sumSq += v * v;
        }
        double traceOverP = sumSq / data.n() / P;
        AnalyticTable.Row zero = table.get(0);
        assertEquals(0, zero.size());
        assertEquals(traceOverP, zero.loss(), LOSS_REL_TOL * traceOverP);
        assertEquals(8.5, zero.loss(), SAMPLING_TOL, "(1 + … + 16)/16 up to sampling error");
        assertEquals(0.5, zero.index(), 0.0);
        assertEquals(0.0, zero.gradNormSq(), 0.0, "θ = 0: the gradient is exactly zero");
    }

    @Test
    void minimumIsTheTopFourEigenvectorsWithIndexZero() {
        AnalyticTable.Row min = table.get(0);
        for (AnalyticTable.Row r : table) {
            if (r.loss() < min.loss()) {
                min = r;
            }
        }
        assertEquals("12 13 14 15", min.subset(), "the eigenvectors of the 4 largest eigenvalues");
        assertEquals(0.0, min.index(), 0.0);
        // every other class is a saddle (index > 0) except the global minimum
        for (AnalyticTable.Row r : table) {
            assertTrue(r == min || r.index() > 0, "{" + r.subset() + "} has index " + r.index());
        }
    }

    @Test
    void newtonMrReturnsToPerturbedAnalyticPoints() {
        // one class of every size, from the zero point to the minimum, saddles of high and low index
        int[][] subsets = {{}, {4}, {6, 15}, {4, 7, 12}, {0, 1, 2, 6}, {1, 10, 12, 13}, {12, 13, 14, 15}};
        try (Plan plan = Plan.compile(ae.program(), be);
             NewtonMr nm = new NewtonMr(plan, NewtonMr.Options.linearAutoencoder().withMaxIterations(100));
             HessianOperator h = new HessianOperator(be, N, HessianOperator.Mode.DENSE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(be, N)) {
            for (int[] s : subsets) {
                int c = classOf(s);
                DeepLinearAutoencoder.AnalyticPoint pt = points.get(c);
                assertArrayEquals(s, pt.subset());
                AnalyticTable.Row row = table.get(c);
                Random rnd = new Random(1000 + c);
                double[] th = pt.theta().clone();
                for (int i = 0; i < N; i++) {
                    th[i] += PERTURBATION * rnd.nextGaussian();
                }
                Run run = nm.run(th);
                String at = "from {" + row.subset() + "} + noise";
                assertTrue(run.finalGradNormSq() < CRITICAL, at + ": ‖g‖² = " + run.finalGradNormSq());
                assertEquals(row.loss(), run.finalLoss(), NEWTON_LOSS_REL_TOL * row.loss(), at);
                h.bind(plan.at(run.theta()));
                MorseIndex.Spectrum sp = MorseIndex.spectrum(h, ws);
                assertTrue(sp.status().ok(), at + ": " + sp.status());
                assertEquals(row.index(), sp.index(MorseIndex.DEFAULT_THRESHOLD).index(), 0.0, at);
            }
        }
    }

    private static int classOf(int[] subset) {
        for (int c = 0; c < points.size(); c++) {
            if (java.util.Arrays.equals(points.get(c).subset(), subset)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no class " + java.util.Arrays.toString(subset));
    }
}
