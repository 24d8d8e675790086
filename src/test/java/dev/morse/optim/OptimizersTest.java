package dev.morse.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.krylov.TestMatrices;
import dev.morse.nn.Activation;
import dev.morse.nn.Mlp;
import dev.morse.problems.Quartic;
import dev.morse.testing.DenseQuadratic;
import dev.morse.testing.Objectives;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OptimizersTest {
    private static Backend be;
    private static double[] a;
    private static double[] b;
    private static double[] minimizer;
    private static final int N = 12;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
        double[] lam = new double[N];
        for (int i = 0; i < N; i++) {
            lam[i] = 1 + 0.5 * i; // SPD, κ = 6.5
        }
        a = TestMatrices.withSpectrum(TestMatrices.randomOrthogonal(N, new Random(1)), lam);
        b = TestMatrices.gaussian(N, new Random(2));
        double[] x = TestMatrices.pinvSolve(be, a, b, 0, 0);
        minimizer = new double[N];
        for (int i = 0; i < N; i++) {
            minimizer[i] = -x[i];
        }
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private static void assertMinimizer(double[] th, double tol) {
        assertArrayEquals(minimizer, th, tol);
    }

    @Test
    void gradientDescentShowsEachIterate() {
        try (DenseQuadratic f = new DenseQuadratic(be, a, b);
             GradientDescent gd = new GradientDescent(f, GradientDescent.plain(0.1, 400))) {
            Map<Integer, double[]> seen = new HashMap<>(); // θ at 0, 100, 200, 300, 400, through the listener
            Run t = gd.run(new double[N], (k, lin) -> {
                if (k % 100 == 0) {
                    double[] th = new double[N];
                    be.download(lin.theta(), 0, th, 0, N);
                    seen.put(k, th);
                }
            });
            assertEquals("gradient-descent", t.method());
            assertEquals(StopReason.ITERATION_CAP, t.stop());
            assertEquals(401, t.trace().size());
            assertEquals(5, seen.size());
            assertEquals(0.0, t.trace().get(0).loss(), 0.0);
            assertArrayEquals(new double[N], seen.get(0), 0.0);
            for (int i = 1; i < t.trace().size(); i++) {
                assertEquals(i, t.trace().get(i).t());
                double prev = t.trace().get(i - 1).loss();
                assertTrue(t.trace().get(i).loss() <= prev + 1e-14 * Math.abs(prev), "lr 0.1 < 2/λmax: monotone");
            }
            assertArrayEquals(t.theta(), seen.get(400), 0.0);
            assertTrue(t.warnings().isEmpty());
            assertTrue(t.seconds() >= 0, "the wall time is on the last row");
            assertMinimizer(t.theta(), 1e-10);
        }
    }

    @Test
    void momentumConverges() {
        try (DenseQuadratic f = new DenseQuadratic(be, a, b);
             GradientDescent gd = new GradientDescent(f, GradientDescent.momentum(0.05, 0.9, 600))) {
            Run t = gd.run(new double[N]);
            assertEquals("momentum", t.method());
            assertMinimizer(t.theta(), 1e-9);
        }
        assertThrows(IllegalArgumentException.class, () -> GradientDescent.momentum(0.1, 1.0, 1));
    }

    @Test
    void bfgsAndLbfgsSolveAQuadraticFast() {
        // Floor 1e-14: a line search on the loss cannot see ‖g‖² much below ulp(L)·λ ≈ 1e-16
        // (L-BFGS was seen to stall at 1e-18 once the loss stopped changing).
        try (DenseQuadratic f = new DenseQuadratic(be, a, b);
             Bfgs bfgs = new Bfgs(f, new Bfgs.Options(new StopCriteria(100, 1e-14), 1e-4, 0.9, 40));
             Lbfgs lbfgs = new Lbfgs(f, new Lbfgs.Options(new StopCriteria(200, 1e-14), 5, 1e-4, 0.9, 40))) {
            Run t = bfgs.run(new double[N]);
            assertEquals(StopReason.GRAD_FLOOR, t.stop());
            assertTrue(t.trace().size() - 1 <= 2 * N, "BFGS iterations " + (t.trace().size() - 1));
            assertMinimizer(t.theta(), 1e-6);
            Run l = lbfgs.run(new double[N]);
            assertEquals(StopReason.GRAD_FLOOR, l.stop());
            assertTrue(l.trace().size() - 1 <= 3 * N, "L-BFGS iterations " + (l.trace().size() - 1));
            assertMinimizer(l.theta(), 1e-6);
            for (Run tr : new Run[] {t, l}) {
                for (int i = 1; i < tr.trace().size(); i++) {
                    assertTrue(tr.trace().get(i).loss() < tr.trace().get(i - 1).loss(), tr.method() + " descends");
                }
            }
        }
    }

    @Test
    void levenbergMarquardtIsExactNewtonOnAQuadratic() {
        try (DenseQuadratic f = new DenseQuadratic(be, a, b);
             LevenbergMarquardt lm = new LevenbergMarquardt(f, new LevenbergMarquardt.Options(
                     new StopCriteria(20, 1e-26), 1e-3, 10, 0.1, 0, 1e12,
                     LevenbergMarquardt.Merit.LOSS))) {
            Run t = lm.run(new double[N]);
            assertTrue(t.trace().size() - 1 <= 8, "iterations " + (t.trace().size() - 1));
            assertMinimizer(t.theta(), 1e-11);
            double[] sp = lm.lastSpectrum();
            assertEquals(1.0, sp[0], 1e-12);
            assertEquals(6.5, sp[N - 1], 1e-12);
        }
    }

    @Test
    void lossDescentMethodsAreNotCaughtByTheQuartic() {
        // The gradient-flat point (√2, 0) is not a critical point of f, so methods that descend
        // the loss pass it and reach the minimum (−3, 0), unlike Newton-MR and GNM.
        try (Plan plan = Plan.compile(Quartic.program(), be);
             Bfgs bfgs = new Bfgs(plan, Bfgs.Options.of(200));
             LevenbergMarquardt lm = new LevenbergMarquardt(plan, LevenbergMarquardt.Options.of(200)
                     .withMerit(LevenbergMarquardt.Merit.LOSS))) {
            for (Run t : new Run[] {bfgs.run(new double[] {3, 2}), lm.run(new double[] {3, 2})}) {
                assertEquals(-3, t.theta()[0], 1e-6, t.method());
                assertEquals(0, t.theta()[1], 1e-6, t.method());
            }
        }
    }

    @Test
    void warmRunsAllocateNothing() {
        Mlp mlp = Objectives.smallMlp(2, 4, Activation.TANH);
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 16, 5), be);
             GradientDescent gd = new GradientDescent(plan, GradientDescent.momentum(0.1, 0.9, 5));
             Bfgs bfgs = new Bfgs(plan, Bfgs.Options.of(5));
             Lbfgs lbfgs = new Lbfgs(plan, Lbfgs.Options.of(5, 3));
             LevenbergMarquardt lm = new LevenbergMarquardt(plan, LevenbergMarquardt.Options.of(3))) {
            double[] th = mlp.init(1);
            gd.run(th);
            bfgs.run(th);
            lbfgs.run(th);
            lm.run(th);
            long before = be.allocations();
            gd.run(th);
            bfgs.run(th);
            lbfgs.run(th);
            lm.run(th);
            assertEquals(before, be.allocations());
        }
    }
}
