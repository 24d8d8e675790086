package dev.morse.newton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.index.HessianOperator;
import dev.morse.index.PointClass;
import dev.morse.krylov.TestMatrices;
import dev.morse.nn.Activation;
import dev.morse.nn.Mlp;
import dev.morse.optim.Iterate;
import dev.morse.optim.Run;
import dev.morse.optim.StopReason;
import dev.morse.problems.Quartic;
import dev.morse.testing.DenseQuadratic;
import dev.morse.testing.Objectives;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NewtonMrTest {
    /** ‖g‖² of a solved quadratic: the MINRES-QLP rtol 1e-10 residual, squared, times ‖g₀‖². */
    private static final double QUADRATIC_FLOOR = 1e-18;
    /**
     * Dense and matrix-free Newton directions differ by rounding only, amplified by the
     * conditioning of the MLP's Hessian and MINRES-QLP's rtol 1e-10 (observed: 2e-9 in ‖g‖²).
     */
    private static final double SAME_STEP_TOL = 1e-8;

    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private static double[] spectrum(int n, int zeros) {
        double[] l = new double[n];
        for (int i = 0; i < n; i++) {
            l[i] = i < zeros ? 0 : (i % 2 == 0 ? 1 : -1) * (1 + i);
        }
        return l;
    }

    @Test
    void solvesAnIndefiniteQuadratic() {
        int n = 20;
        double[] q = TestMatrices.randomOrthogonal(n, new Random(1));
        double[] a = TestMatrices.withSpectrum(q, spectrum(n, 0));
        double[] b = TestMatrices.gaussian(n, new Random(2));
        try (DenseQuadratic f = new DenseQuadratic(be, a, b);
             NewtonMr nm = new NewtonMr(f, NewtonMr.Options.linearAutoencoder().withMaxIterations(50))) {
            Run run = nm.run(new double[n]);
            assertTrue(run.finalGradNormSq() < QUADRATIC_FLOOR, "‖g‖² = " + run.finalGradNormSq());
            assertEquals(PointClass.CRITICAL, run.classify());
            // the minimizer of ‖Aθ + b‖: θ = −A⁻¹b
            double[] ref = TestMatrices.pinvSolve(be, a, b, 0, 0);
            double[] th = run.theta();
            for (int i = 0; i < n; i++) {
                assertEquals(-ref[i], th[i], 1e-8);
            }
            // α starts at 0.1 unless the unit step passes the ρ' test; then grows as min(1, α/β)
            Iterate first = run.trace().get(0);
            assertTrue(first.alpha() == 1.0 || first.alpha() == 0.1, "first α " + first.alpha());
            assertTrue(run.warnings().isEmpty());
            assertEquals(0, run.trace().get(0).t());
        }
    }

    @Test
    void singularIncompatibleQuadraticEndsGradientFlat() {
        // L = ½θᵀAθ + bᵀθ with b partly in ker A: g = Aθ + b never vanishes; its smallest value
        // is the null-space part of b, where g ∈ ker H: a gradient-flat point with r = 1.
        int n = 16;
        double[] q = TestMatrices.randomOrthogonal(n, new Random(3));
        double[] a = TestMatrices.withSpectrum(q, spectrum(n, 3));
        double[] b = TestMatrices.gaussian(n, new Random(4));
        double nullPart = 0;
        for (int k = 0; k < 3; k++) {
            double c = 0;
            for (int i = 0; i < n; i++) {
                c += q[i * n + k] * b[i];
            }
            nullPart += c * c;
        }
        try (DenseQuadratic f = new DenseQuadratic(be, a, b);
             NewtonMr nm = new NewtonMr(f, NewtonMr.Options.linearAutoencoder().withMaxIterations(50))) {
            Run run = nm.run(new double[n]);
            assertEquals(nullPart, run.finalGradNormSq(), 1e-10 * nullPart);
            assertEquals(PointClass.GRADIENT_FLAT, run.classify());
            assertEquals(1.0, run.last().r(), 1e-8);
            assertTrue(run.maxR() > 0.99);
        }
    }

    @Test
    void denseAndMatrixFreeTakeTheSameSteps() {
        // l2 = 0.01 keeps the Hessian's conditioning moderate, so rounding differences between
        // the two paths stay at the rounding level along the run.
        Mlp mlp = Mlp.builder().widths(2, 6, 1).activation(Activation.TANH).loss(dev.morse.nn.Loss.MSE)
                .l2(1e-2).build();
        int n = mlp.nParams();
        double[] th0 = mlp.init(7);
        // A tight rtol, so that the directions are fixed by the math rather than by where a
        // rounding difference puts relres relative to a loose tolerance.
        // maxit 10N: in N iterations Lanczos loses orthogonality on this Hessian and MINRES-QLP
        // stops unconverged, where rounding differences are not damped.
        NewtonMr.Options lae = NewtonMr.Options.linearAutoencoder();
        NewtonMr.Options o = lae.withMaxIterations(8).withSolver(lae.solver().withMaxit(10 * n));
        Run dense;
        Run free;
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 25, 8), be)) {
            try (NewtonMr nm = new NewtonMr(plan, o.withHessian(HessianOperator.Mode.DENSE))) {
                assertTrue(nm.denseHessian());
                dense = nm.run(th0);
            }
            try (NewtonMr nm = new NewtonMr(plan, o.withHessian(HessianOperator.Mode.MATRIX_FREE))) {
                assertFalse(nm.denseHessian());
                free = nm.run(th0);
            }
        }
        assertEquals(dense.trace().size(), free.trace().size());
        for (int i = 0; i < dense.trace().size(); i++) {
            Iterate d = dense.trace().get(i);
            Iterate f = free.trace().get(i);
            assertEquals(d.alpha(), f.alpha(), 0.0, "α at step " + i);
            assertTrue(Math.abs(d.solverIterations() - f.solverIterations()) <= 1, "iterations at step " + i);
            assertEquals(d.gradNormSq(), f.gradNormSq(), SAME_STEP_TOL * (1 + d.gradNormSq()), "‖g‖² at " + i);
        }
        double[] a = dense.theta();
        double[] b = free.theta();
        assertTrue(TestMatrices.dist(a, b) <= SAME_STEP_TOL * TestMatrices.norm(a), "θ differs");
        // dense assembles N HVPs per step; matrix-free pays per MINRES iteration and probes
        assertEquals(n, dense.trace().get(0).hvps());
    }

    @Test
    void quarticKnownAnswers() {
        // E4 (thesis Example 3.1, Fig 3.5): from x > −√2 Newton-MR is caught by the strict
        // gradient-flat point (√2, 0), ‖g‖² = (9 − 4√2)² ≈ 11.17; from x < −√2 it reaches the
        // minimum (−3, 0).
        double flatGns = Math.pow(9 - 4 * Math.sqrt(2), 2);
        try (Plan plan = Plan.compile(Quartic.program(), be);
             NewtonMr nm = new NewtonMr(plan, NewtonMr.Options.defaults())) {
            for (double[] s : new double[][] {{3, 2}, {0, 1}, {-1, -2}, {1.5, 0.1}, {5, 5}, {10, -10}}) {
                Run run = nm.run(s);
                double[] th = run.theta();
                String at = "start (" + s[0] + ", " + s[1] + ")";
                assertEquals(Math.sqrt(2), th[0], 1e-4, at);
                assertEquals(0, th[1], 1e-5, at);
                assertEquals(flatGns, run.finalGradNormSq(), 1e-6, at);
                assertTrue(run.last().r() > 0.99, at + ": r = " + run.last().r());
                assertEquals(PointClass.GRADIENT_FLAT, run.classify(), at + ": r_H = " + run.last().rH());
            }
            for (double[] s : new double[][] {{-2, 1}, {-4, 3}, {-1.5, 0.5}}) {
                Run run = nm.run(s);
                double[] th = run.theta();
                String at = "start (" + s[0] + ", " + s[1] + ")";
                assertEquals(-3, th[0], 1e-12, at);
                assertEquals(0, th[1], 1e-12, at);
                assertTrue(run.finalGradNormSq() < 1e-20, at);
                assertEquals(PointClass.CRITICAL, run.classify(), at);
            }
        }
    }

    @Test
    void stopsAtTheCapAndAtTheFloor() {
        try (Plan plan = Plan.compile(Quartic.program(), be)) {
            try (NewtonMr nm = new NewtonMr(plan, NewtonMr.Options.defaults().withMaxIterations(3))) {
                Run run = nm.run(new double[] {3, 2});
                assertEquals(StopReason.ITERATION_CAP, run.stop());
                assertEquals(4, run.trace().size());
                assertTrue(Double.isNaN(run.last().alpha()));
                assertTrue(run.last().flag() != null, "the last iterate still gets its r, r_H");
            }
            try (NewtonMr nm = new NewtonMr(plan, NewtonMr.Options.defaults().withGradNormSqFloor(1e-8))) {
                Run run = nm.run(new double[] {-4, 3});
                assertEquals(StopReason.GRAD_FLOOR, run.stop());
                assertTrue(run.finalGradNormSq() < 1e-8);
                assertNull(run.last().flag());
                assertEquals(PointClass.CRITICAL, run.classify());
            }
        }
    }

    @Test
    void nonSmoothLossIsWarnedAbout() {
        Mlp mlp = Objectives.smallMlp(2, 4, Activation.RELU);
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 10, 9), be);
             NewtonMr nm = new NewtonMr(plan, NewtonMr.Options.defaults().withMaxIterations(2))) {
            Run run = nm.run(mlp.init(1));
            assertEquals(1, run.warnings().size());
            assertTrue(run.warnings().get(0).contains("relu"), run.warnings().get(0));
        }
    }

    @Test
    void warmRunAllocatesNothing() {
        Mlp mlp = Objectives.smallMlp(2, 5, Activation.SWISH);
        for (HessianOperator.Mode mode : HessianOperator.Mode.values()) {
            try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 20, 10), be);
                 NewtonMr nm = new NewtonMr(plan, NewtonMr.Options.defaults().withMaxIterations(5).withHessian(mode))) {
                nm.run(mlp.init(2));
                long before = be.allocations();
                nm.run(mlp.init(3));
                assertEquals(before, be.allocations(), mode + ": a warm run must not allocate device memory");
            }
        }
    }

    @Test
    void optionsAreValidated() {
        NewtonMr.Options d = NewtonMr.Options.defaults();
        assertEquals(0.1, d.alpha());
        assertEquals(0.5, d.beta());
        assertEquals(0.1, d.rho());
        assertEquals(0.5, d.rhoPrime());
        assertEquals(5e-4, d.solver().rtol());
        assertEquals(1e-10, NewtonMr.Options.linearAutoencoder().solver().rtol());
        assertEquals(1e4, d.solver().maxxnorm());
        assertEquals(1e7, d.solver().acondlim());
        assertEquals(1e4, d.solver().trancond());
        assertThrows(IllegalArgumentException.class, () -> d.withLineSearch(0, 0.5, 0.1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> d.withLineSearch(0.1, 1, 0.1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> d.withSolver(d.solver().withShift(1)));
    }
}
