package dev.morse.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
    void gradientDescentRecordsItsTrajectory() {
        try (DenseQuadratic f = new DenseQuadratic(be, a, b);
             GradientDescent gd = new GradientDescent(f, GradientDescent.plain(0.1, 400, Snapshots.every(100)))) {
            Trajectory t = gd.run(new double[N]);
            assertEquals("gradient-descent", t.method());
            assertEquals(401, t.points().size());
            assertEquals(5, t.snapshots().size()); // 0, 100, 200, 300, 400
            assertEquals(0.0, t.points().get(0).loss(), 0.0);
            assertNull(t.points().get(1).theta());
            for (int i = 1; i < t.points().size(); i++) {
                double prev = t.points().get(i - 1).loss();
                assertTrue(t.points().get(i).loss() <= prev + 1e-14 * Math.abs(prev), "lr 0.1 < 2/λmax: monotone");
            }
            assertArrayEquals(t.finalTheta(), t.snapshots().get(4).theta(), 0.0);
            assertMinimizer(t.finalTheta(), 1e-10);
        }
    }

    @Test
    void momentumConverges() {
        try (DenseQuadratic f = new DenseQuadratic(be, a, b);
             GradientDescent gd = new GradientDescent(f, GradientDescent.momentum(0.05, 0.9, 600, Snapshots.none()))) {
            Trajectory t = gd.run(new double[N]);
            assertEquals("momentum", t.method());
            assertMinimizer(t.finalTheta(), 1e-9);
        }
        assertThrows(IllegalArgumentException.class, () -> GradientDescent.momentum(0.1, 1.0, 1, Snapshots.none()));
    }

    @Test
    void bfgsAndLbfgsSolveAQuadraticFast() {
        // Floor 1e-14: a line search on the loss cannot see ‖g‖² much below ulp(L)·λ ≈ 1e-16
        // (L-BFGS was seen to stall at 1e-18 once the loss stopped changing).
        try (DenseQuadratic f = new DenseQuadratic(be, a, b);
             Bfgs bfgs = new Bfgs(f, new Bfgs.Options(new StopCriteria(100, 1e-14), Snapshots.none(), 1e-4, 0.9, 40));
             Lbfgs lbfgs = new Lbfgs(f, new Lbfgs.Options(new StopCriteria(200, 1e-14), Snapshots.none(), 5, 1e-4, 0.9, 40))) {
            Trajectory t = bfgs.run(new double[N]);
            assertEquals(StopReason.GRAD_FLOOR, t.stop());
            assertTrue(t.points().size() - 1 <= 2 * N, "BFGS iterations " + (t.points().size() - 1));
            assertMinimizer(t.finalTheta(), 1e-6);
            Trajectory l = lbfgs.run(new double[N]);
            assertEquals(StopReason.GRAD_FLOOR, l.stop());
            assertTrue(l.points().size() - 1 <= 3 * N, "L-BFGS iterations " + (l.points().size() - 1));
            assertMinimizer(l.finalTheta(), 1e-6);
            for (Trajectory tr : new Trajectory[] {t, l}) {
                for (int i = 1; i < tr.points().size(); i++) {
                    assertTrue(tr.points().get(i).loss() < tr.points().get(i - 1).loss(), tr.method() + " descends");
                }
            }
        }
    }

    @Test
    void levenbergMarquardtIsExactNewtonOnAQuadratic() {
        try (DenseQuadratic f = new DenseQuadratic(be, a, b);
             LevenbergMarquardt lm = new LevenbergMarquardt(f, new LevenbergMarquardt.Options(
                     new StopCriteria(20, 1e-26), Snapshots.none(), 1e-3, 10, 0.1, 0, 1e12,
                     LevenbergMarquardt.Merit.LOSS))) {
            Trajectory t = lm.run(new double[N]);
            assertTrue(t.points().size() - 1 <= 8, "iterations " + (t.points().size() - 1));
            assertMinimizer(t.finalTheta(), 1e-11);
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
             Bfgs bfgs = new Bfgs(plan, Bfgs.Options.of(200, Snapshots.none()));
             LevenbergMarquardt lm = new LevenbergMarquardt(plan, LevenbergMarquardt.Options.of(200, Snapshots.none())
                     .withMerit(LevenbergMarquardt.Merit.LOSS))) {
            for (Trajectory t : new Trajectory[] {bfgs.run(new double[] {3, 2}), lm.run(new double[] {3, 2})}) {
                assertEquals(-3, t.finalTheta()[0], 1e-6, t.method());
                assertEquals(0, t.finalTheta()[1], 1e-6, t.method());
            }
        }
    }

    @Test
    void warmRunsAllocateNothing() {
        Mlp mlp = Objectives.smallMlp(2, 4, Activation.TANH);
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 16, 5), be);
             GradientDescent gd = new GradientDescent(plan, GradientDescent.momentum(0.1, 0.9, 5, Snapshots.none()));
             Bfgs bfgs = new Bfgs(plan, Bfgs.Options.of(5, Snapshots.none()));
             Lbfgs lbfgs = new Lbfgs(plan, Lbfgs.Options.of(5, 3, Snapshots.none()));
             LevenbergMarquardt lm = new LevenbergMarquardt(plan, LevenbergMarquardt.Options.of(3, Snapshots.none()))) {
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
