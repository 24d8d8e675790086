package dev.morse.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.krylov.TestMatrices;
import dev.morse.nn.Activation;
import dev.morse.nn.Mlp;
import dev.morse.problems.Quartic;
import dev.morse.testing.DenseQuadratic;
import dev.morse.testing.Objectives;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IndexTest {
    /** Dense and matrix-free products differ by summation order only. */
    private static final double PRODUCT_TOL = 1e-12;
    /** syevd eigenvalues of a well-scaled matrix with |λ| ≤ 10: backward error ~ n·eps·‖A‖. */
    private static final double EIG_TOL = 1e-12;

    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private static double[] randomTheta(int n, long seed, double scale) {
        Random r = new Random(seed);
        double[] th = new double[n];
        for (int i = 0; i < n; i++) {
            th[i] = scale * r.nextGaussian();
        }
        return th;
    }

    @Test
    void denseAndMatrixFreeOperatorsAgree() {
        Mlp mlp = Objectives.smallMlp(3, 8, Activation.TANH);
        int n = mlp.nParams();
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 40, 1), be);
             HessianOperator dense = new HessianOperator(be, n, HessianOperator.Mode.DENSE);
             HessianOperator free = new HessianOperator(be, n, HessianOperator.Mode.MATRIX_FREE);
             DArray v = TestMatrices.upload(be, randomTheta(3 * n, 2, 1.0));
             DArray o1 = be.alloc(3L * n); DArray o2 = be.alloc(3L * n)) {
            Linearization lin = plan.at(mlp.init(3));
            dense.bind(lin);
            free.bind(lin);
            assertTrue(dense.isDense());
            assertFalse(free.isDense());
            dense.apply(v, n, o1, 0);
            free.apply(v, n, o2, 0);
            double[] a = TestMatrices.download(be, o1, n);
            double[] b = TestMatrices.download(be, o2, n);
            assertArrayEquals(a, b, PRODUCT_TOL * TestMatrices.norm(a));
            dense.applyBlock(3, v, 0, o1, 0);
            free.applyBlock(3, v, 0, o2, 0);
            a = TestMatrices.download(be, o1, 3 * n);
            b = TestMatrices.download(be, o2, 3 * n);
            assertArrayEquals(a, b, PRODUCT_TOL * TestMatrices.norm(a));
            assertThrows(IllegalStateException.class, free::matrix);
        }
    }

    @Test
    void autoModeFollowsN() {
        assertEquals(HessianOperator.Mode.DENSE, HessianOperator.Mode.AUTO.resolve(HessianOperator.AUTO_DENSE_MAX_N));
        assertEquals(HessianOperator.Mode.MATRIX_FREE,
                HessianOperator.Mode.AUTO.resolve(HessianOperator.AUTO_DENSE_MAX_N + 1));
        assertEquals(HessianOperator.Mode.MATRIX_FREE, HessianOperator.Mode.MATRIX_FREE.resolve(10));
    }

    @Test
    void frobeniusNormExactAndHutchinson() {
        int n = 30;
        double[] lam = new double[n];
        for (int i = 0; i < n; i++) {
            lam[i] = (i % 3 == 0 ? -1 : 1) * (0.5 + i);
        }
        double[] q = TestMatrices.randomOrthogonal(n, new Random(5));
        double[] a = TestMatrices.withSpectrum(q, lam);
        double exact = 0;
        for (double l : lam) {
            exact += l * l;
        }
        exact = Math.sqrt(exact);
        try (DenseQuadratic f = new DenseQuadratic(be, a, new double[n]);
             HessianOperator dense = new HessianOperator(be, n, HessianOperator.Mode.DENSE);
             HessianOperator free = new HessianOperator(be, n, HessianOperator.Mode.MATRIX_FREE, 4096, 9);
             DArray th = be.alloc(n)) {
            Linearization lin = f.at(th, 0);
            dense.bind(lin);
            free.bind(lin);
            FrobeniusNorm fd = dense.frobeniusNorm();
            assertTrue(fd.exact());
            assertEquals(exact, fd.value(), 1e-12 * exact);
            FrobeniusNorm fh = free.frobeniusNorm();
            assertFalse(fh.exact());
            assertEquals(4096, fh.probes());
            // 4096 probes: rel. std of ‖H‖²_F ≤ √(2/4096) = 2.2%; allow 4.5 of those on the square.
            double relSq = Math.abs(fh.value() * fh.value() - exact * exact) / (exact * exact);
            assertTrue(relSq < 4.5 * fh.relativeStdBound(), "Hutchinson off by " + relSq);
            assertEquals(4096, free.hvpCount());
            assertEquals(fh, free.frobeniusNorm(), "computed once per binding");
        }
        // For H = cI every Rademacher probe is exact: ‖cz‖² = c²N.
        double[] ci = TestMatrices.diag(new double[] {3, 3, 3, 3, 3});
        try (DenseQuadratic f = new DenseQuadratic(be, ci, new double[5]);
             HessianOperator free = new HessianOperator(be, 5, HessianOperator.Mode.MATRIX_FREE, 2, 1);
             DArray th = be.alloc(5)) {
            free.bind(f.at(th, 0));
            assertEquals(3 * Math.sqrt(5), free.frobeniusNorm().value(), 1e-14);
        }
    }

    @Test
    void addToDiagonal() {
        for (int n : new int[] {1, 2, 5}) {
            double[] a = new double[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = i;
            }
            try (DArray d = TestMatrices.upload(be, a); DArray e = be.alloc(n + 1)) {
                MorseIndex.addToDiagonal(be, n, d, 0, 0.25, e);
                double[] out = TestMatrices.download(be, d, n * n);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        assertEquals(a[i * n + j] + (i == j ? 0.25 : 0), out[i * n + j], 0.0);
                    }
                }
            }
        }
    }

    @Test
    void spectrumMatchesKnownEigenvalues() {
        int n = 25;
        double[] lam = new double[n];
        for (int i = 0; i < n; i++) {
            lam[i] = -6 + 0.5 * i;
        }
        double[] a = TestMatrices.withSpectrum(TestMatrices.randomOrthogonal(n, new Random(7)), lam);
        try (DenseQuadratic f = new DenseQuadratic(be, a, new double[n]);
             HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.MATRIX_FREE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(be, n);
             DArray th = be.alloc(n)) {
            h.bind(f.at(th, 0));
            MorseIndex.Spectrum s = MorseIndex.spectrum(h, ws);
            assertTrue(s.status().ok());
            assertArrayEquals(lam, s.eigenvalues(), EIG_TOL * 10);
            MorseIndex.Result r = s.index(MorseIndex.DEFAULT_THRESHOLD);
            assertEquals(12, r.negative()); // −6 … −0.5; 0 is not below −1e-5
            assertEquals(12.0 / 25, r.index(), 0.0);
            assertEquals(-6, s.min(), EIG_TOL * 10);
            assertEquals(6, s.max(), EIG_TOL * 10);
        }
    }

    @Test
    void spectrumAndInertiaAgree() {
        // Random symmetric matrices (with zero and ±threshold-adjacent eigenvalues kept a
        // factor 10 away from −τ), MLP Hessians at random points, and thresholds 1e-5 and 1e-2.
        Random rnd = new Random(11);
        for (int trial = 0; trial < 20; trial++) {
            int n = 5 + rnd.nextInt(60);
            double[] lam = new double[n];
            for (int i = 0; i < n; i++) {
                double m = Math.pow(10, -8 + 10 * rnd.nextDouble());
                if (m > 1e-6 && m < 1e-4) {
                    m *= 100;
                }
                lam[i] = (rnd.nextBoolean() ? 1 : -1) * m;
                if (rnd.nextInt(10) == 0) {
                    lam[i] = 0;
                }
            }
            double[] a = TestMatrices.withSpectrum(TestMatrices.randomOrthogonal(n, rnd), lam);
            int expected = 0;
            for (double l : lam) {
                if (l < -MorseIndex.DEFAULT_THRESHOLD) {
                    expected++;
                }
            }
            try (DArray d = TestMatrices.upload(be, a); MorseIndex.Workspace ws = new MorseIndex.Workspace(be, n)) {
                MorseIndex.Result bySpectrum = MorseIndex.spectrum(be, n, d, 0, ws).index(MorseIndex.DEFAULT_THRESHOLD);
                MorseIndex.Result byInertia = MorseIndex.byInertia(be, n, d, 0, MorseIndex.DEFAULT_THRESHOLD, ws);
                assertEquals(expected, bySpectrum.negative(), "trial " + trial);
                assertEquals(expected, byInertia.negative(), "trial " + trial);
                assertTrue(byInertia.status().ok());
                assertEquals(bySpectrum.index(), byInertia.index(), 0.0);
            }
        }
        Mlp mlp = Objectives.smallMlp(2, 10, Activation.SWISH);
        int n = mlp.nParams();
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 30, 3), be);
             HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.DENSE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(be, n)) {
            for (int s = 0; s < 10; s++) {
                h.bind(plan.at(randomTheta(n, 100 + s, 1.5)));
                MorseIndex.Spectrum spec = MorseIndex.spectrum(h, ws);
                for (double tau : new double[] {MorseIndex.DEFAULT_THRESHOLD, 1e-2}) {
                    MorseIndex.Result a = spec.index(tau);
                    MorseIndex.Result b = MorseIndex.byInertia(h, tau, ws);
                    assertEquals(a.negative(), b.negative(), "point " + s + ", τ " + tau);
                }
            }
        }
    }

    @Test
    void flatnessAtTheQuarticsGradientFlatPoint() {
        // At (√2, 0): H = diag(0, 10), g = (9 − 4√2, 0) lies in ker H. The min-norm Newton
        // direction is p = 0: r = 1, r_H = 0.
        try (Plan plan = Plan.compile(Quartic.program(), be);
             HessianOperator h = new HessianOperator(be, 2, HessianOperator.Mode.DENSE);
             DArray p = be.alloc(2); DArray res = be.alloc(2); DArray hres = be.alloc(2)) {
            Linearization lin = plan.at(Quartic.FLAT_POINT.clone());
            h.bind(lin);
            Flatness f = Flatness.compute(h, p, 0, lin.gradient(), 0, res, hres);
            assertEquals(1.0, f.r(), 0.0);
            assertEquals(0.0, f.rH(), 1e-15);
            assertEquals(PointClass.GRADIENT_FLAT, PointClass.classify(lin.gradNormSq(), f.r(), f.rH()));
            assertEquals(Math.pow(9 - 4 * Math.sqrt(2), 2), lin.gradNormSq(), 1e-12);
            // At a regular point the exact Newton step has r = 0.
            Linearization l2 = plan.at(new double[] {2.5, 0.7});
            h.bind(l2);
            double[] g = TestMatrices.download(be, l2.gradient(), 2);
            double[] hd = Quartic.hessianDiagonal(2.5, 0.7);
            be.upload(new double[] {-g[0] / hd[0], -g[1] / hd[1]}, 0, p, 0, 2);
            Flatness f2 = Flatness.compute(h, p, 0, l2.gradient(), 0, res, hres);
            assertTrue(f2.r() < 1e-15, "r = " + f2.r());
        }
    }

    @Test
    void flatnessFormulaAndBounds() {
        FrobeniusNorm two = FrobeniusNorm.exact(2);
        Flatness f = Flatness.of(3, 0.5, 1, 4, two);
        assertEquals(3.0 / (2 * 1 + 4), f.r(), 0.0);
        assertEquals(0.5 / (2 * 3), f.rH(), 0.0);
        assertEquals(0.0, Flatness.of(0, 0, 1, 1, two).rH(), 0.0);
    }

    @Test
    void classification() {
        assertEquals(PointClass.CRITICAL, PointClass.classify(9e-11, 0.95, 1e-5));
        assertEquals(PointClass.GRADIENT_FLAT, PointClass.classify(1e-3, 0.95, 1e-5));
        assertEquals(PointClass.OTHER, PointClass.classify(1e-3, 0.85, 1e-5));
        assertEquals(PointClass.OTHER, PointClass.classify(1e-3, 0.95, 1e-3));
        assertEquals(PointClass.OTHER, PointClass.classify(1e-3, Double.NaN, Double.NaN));
        PointClass.Criteria loose = new PointClass.Criteria(1e-2, 0.5, 1e-2);
        assertEquals(PointClass.CRITICAL, PointClass.classify(1e-3, 0.95, 1e-5, loose));
        assertEquals(0.97, PointClass.maxR(new double[] {0.1, Double.NaN, 0.97, 0.5}), 0.0);
        assertTrue(Double.isNaN(PointClass.maxR(new double[] {Double.NaN})));
    }

    @Test
    void rebindingAllocatesNothing() {
        Mlp mlp = Objectives.smallMlp(2, 6, Activation.TANH);
        int n = mlp.nParams();
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 20, 4), be);
             HessianOperator dense = new HessianOperator(be, n, HessianOperator.Mode.DENSE);
             HessianOperator free = new HessianOperator(be, n, HessianOperator.Mode.MATRIX_FREE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(be, n);
             DArray th = TestMatrices.upload(be, mlp.init(5))) {
            Linearization lin = plan.at(th, 0);
            dense.bind(lin);
            free.bind(lin);
            free.frobeniusNorm();
            MorseIndex.byInertia(dense, 1e-5, ws);
            long before = be.allocations();
            lin = plan.at(th, 0);
            dense.bind(lin);
            free.bind(lin);
            free.frobeniusNorm();
            dense.frobeniusNorm();
            MorseIndex.byInertia(dense, 1e-5, ws);
            MorseIndex.spectrum(free, ws);
            assertEquals(before, be.allocations());
        }
    }
}
