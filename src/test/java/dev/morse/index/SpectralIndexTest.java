package dev.morse.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import dev.morse.testing.SingleBlasThread;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lanczos, SLQ and the exact-by-deflation count against the dense spectrum (dsyevd) and the
 * inertia (dsytrf) of a network's Hessian, N = 1045, where both are cheap. The Krylov runs use
 * the assembled H (gemv) for speed; one check runs the same search matrix-free (HVPs).
 */
class SpectralIndexTest {
    /** Lanczos extremes against dsyevd, relative to |λ| (the acceptance figure). */
    private static final double EXTREME_REL = 1e-8;
    /** Probe seeds for the coverage check, and how many bands must contain the exact fraction. */
    private static final int SEEDS = 20;
    private static final int COVERED = 19;

    private static Backend be;
    private static SingleBlasThread oneThread;
    private static Plan plan;
    private static Mlp mlp;
    private static HessianOperator dense;
    private static MorseIndex.Spectrum exact;
    private static int n;

    @BeforeAll
    static void setUp() {
        oneThread = new SingleBlasThread();
        be = new CpuBackend();
        mlp = Mlp.builder().widths(20, 40, 5).activation(Activation.SWISH).loss(Loss.CROSS_ENTROPY).build();
        Random r = new Random(3);
        int rows = 200;
        double[] x = new double[rows * 20];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(5);
        }
        plan = Plan.compile(mlp.crossEntropy(x, rows, y), be);
        n = plan.n();
        double[] th = mlp.init(11);
        for (int i = 0; i < th.length; i++) {
            th[i] *= 2.0; // larger weights: a spectrum with a few hundred negative eigenvalues
        }
        dense = new HessianOperator(be, n, HessianOperator.Mode.DENSE);
        dense.bind(plan.at(th));
        try (MorseIndex.Workspace ws = new MorseIndex.Workspace(be, n)) {
            exact = MorseIndex.spectrum(dense, ws);
        }
        assertTrue(exact.status().ok());
    }

    @AfterAll
    static void tearDown() {
        dense.close();
        plan.close();
        be.close();
        oneThread.close();
    }

    @Test
    void lanczosExtremesEqualDsyevd() {
        double[] lam = exact.eigenvalues();
        try (Eigenpairs ep = new Eigenpairs(be, n, 200, 8)) {
            // threshold just above λ_min's neighbour: the search locks λ_1 and must find it exactly
            Eigenpairs.Result r = ep.run(dense, -(lam[1] + lam[2]) / 2, 4, 5);
            assertEquals(lam[0], r.minEig(), EXTREME_REL * Math.abs(lam[0]));
            assertEquals(lam[n - 1], r.maxEig(), EXTREME_REL * Math.abs(lam[n - 1]));
            assertTrue(r.complete(), "search for the two lowest eigenvalues completes");
            assertEquals(2, r.count());
            assertEquals(lam[1], r.negative().get(1).lambda(), EXTREME_REL * Math.abs(lam[1]));
            // the eigenvectors are there for callers: ‖Hv − λv‖ as measured, and unit length
            for (Eigenpairs.Pair p : r.negative()) {
                assertTrue(p.residual() <= Eigenpairs.TOL * Math.abs(lam[n - 1]));
                assertEquals(1.0, be.nrm2(n, ep.vectors(), (long) p.row() * n), 1e-10);
            }
        }
    }

    @Test
    void slqBandContainsTheExactFraction() {
        int covered = 0;
        double widest = 0;
        try (Eigenpairs ep = new Eigenpairs(be, n, 40, 0)) {
            for (int s = 0; s < SEEDS; s++) {
                Slq.Estimate q = Slq.run(dense, ep.lanczos(), 6, 40, 1000L * s, ep.scratch());
                double delta = IndexEstimator.raise(q, 1e-5, IndexEstimator.DEFAULT_RESOLUTION);
                Slq.Band b = q.band(-delta);
                double f = (double) exact.negativeCount(delta) / n;
                if (b.low() <= f && f <= b.high()) {
                    covered++;
                }
                widest = Math.max(widest, b.width());
                assertTrue(delta >= 1e-5);
            }
        }
        assertTrue(covered >= COVERED, "bands containing the exact fraction: " + covered + " of " + SEEDS);
        assertTrue(widest < 0.5, "a band that says nothing: width " + widest);
    }

    @Test
    void densityMomentsMatchTraces() {
        double[] lam = exact.eigenvalues();
        double m1 = 0;
        double m2 = 0;
        for (double l : lam) {
            m1 += l / n;
            m2 += l * l / n;
        }
        try (Eigenpairs ep = new Eigenpairs(be, n, 40, 0)) {
            Slq.Estimate q = Slq.run(dense, ep.lanczos(), 30, 40, 77, ep.scratch());
            // Gauss rules of 40 nodes integrate θ and θ² exactly per probe: only sampling error is left
            assertEquals(m1, q.moment(1), 3 * q.momentStandardError(1));
            assertEquals(m2, q.moment(2), 3 * q.momentStandardError(2));
            assertTrue(q.momentStandardError(2) < 0.2 * m2, "a stated error too wide to test anything");
            double[][] g = q.densityGrid(400);
            double mass = 0;
            for (int i = 1; i < g[0].length; i++) {
                mass += 0.5 * (g[1][i] + g[1][i - 1]) * (g[0][i] - g[0][i - 1]);
            }
            assertEquals(1.0, mass, 1e-3, "the smoothed density integrates to 1");
        }
    }

    @Test
    void exactByDeflationEqualsInertia() {
        double[] lam = exact.eigenvalues();
        // a threshold in the widest gap among the 12 lowest eigenvalues: a small count, well separated
        int k = 1;
        for (int i = 1; i < 12; i++) {
            if (lam[i] - lam[i - 1] > lam[k] - lam[k - 1]) {
                k = i;
            }
        }
        double delta = -(lam[k - 1] + lam[k]) / 2;
        assertTrue(delta > 0);
        MorseIndex.Result inertia;
        try (MorseIndex.Workspace ws = new MorseIndex.Workspace(be, n)) {
            inertia = MorseIndex.byInertia(dense, delta, ws);
        }
        IndexEstimator.Options o = IndexEstimator.Options.defaults().withThreshold(delta).withBudget(10, 80);
        try (IndexEstimator lz = new IndexEstimator(be, n, o, IndexEstimator.Method.LANCZOS);
             IndexEstimator slq = new IndexEstimator(be, n, o, IndexEstimator.Method.SLQ)) {
            IndexEstimator.Estimate a = lz.estimate(dense);
            assertTrue(a.exact(), a.describe());
            assertEquals(inertia.negative(), a.negative());
            assertEquals(a.low(), a.high());
            IndexEstimator.Estimate b = slq.estimate(dense);
            assertTrue(b.exact(), b.describe());
            assertEquals(inertia.negative(), b.negative());
        }
        // the same search on HVPs (matrix-free) finds the same count
        try (HessianOperator free = new HessianOperator(be, n, HessianOperator.Mode.MATRIX_FREE);
             Eigenpairs ep = new Eigenpairs(be, n, 80, 16)) {
            double[] th = mlp.init(11);
            for (int i = 0; i < th.length; i++) {
                th[i] *= 2.0;
            }
            free.bind(plan.at(th));
            Eigenpairs.Result r = ep.run(free, delta, 6, 9);
            assertTrue(r.complete());
            assertEquals(inertia.negative(), r.count());
        }
    }
}
