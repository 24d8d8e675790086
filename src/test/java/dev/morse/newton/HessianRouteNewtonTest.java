package dev.morse.newton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.index.HessianOperator;
import dev.morse.index.HessianRoute;
import dev.morse.index.HessianRoute.Basis;
import dev.morse.index.HessianRoute.Costs;
import dev.morse.index.HessianRoute.Route;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import dev.morse.optim.Iterate;
import dev.morse.optim.Run;
import dev.morse.testing.Objectives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code hessian: auto} in the Newton methods, with the probe replaced by fixed costs so the
 * choice is deterministic: the run takes the route the costs favour, revises it once after the
 * first solve, records it, and takes the same steps (to rounding) with the same r as a
 * matrix-free run, whichever route the costs pick.
 */
class HessianRouteNewtonTest {
    /** As NewtonMrTest's: dense and matrix-free directions differ by rounding, amplified by rtol 1e-10. */
    private static final double SAME_STEP_TOL = 1e-8;
    private static final long GIB = 1L << 30;

    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** N = 301 > 256, so AUTO is measured and ‖H‖_F is Hutchinson's on both routes. */
    private static Mlp mlp() {
        return Mlp.builder().widths(8, 30, 1).activation(Activation.TANH).loss(Loss.MSE).l2(1.0).build();
    }

    /** Costs where a step costs m matrix-free and {@code denseStep} dense, whatever m (no norm terms). */
    private static HessianRoute.Probe fixed(int n, double denseStep) {
        return (op, lin) -> new Costs(n, 1.0, denseStep / n, 64, 0.0, 0, 8L * n * n, GIB);
    }

    private static NewtonMr.Options options(int n) {
        // tight rtol and maxit 10N as in NewtonMrTest.denseAndMatrixFreeTakeTheSameSteps
        NewtonMr.Options lae = NewtonMr.Options.linearAutoencoder();
        return lae.withMaxIterations(6).withSolver(lae.solver().withMaxit(10 * n));
    }

    private static Run newton(Plan plan, NewtonMr.Options o, HessianRoute.Probe probe, double[] th0) {
        try (NewtonMr nm = new NewtonMr(plan, o)) {
            if (probe != null) {
                nm.withRouteProbe(probe);
            }
            return nm.run(th0);
        }
    }

    private static void sameSteps(Run a, Run b) {
        assertEquals(a.trace().size(), b.trace().size());
        for (int i = 0; i < a.trace().size(); i++) {
            Iterate x = a.trace().get(i);
            Iterate y = b.trace().get(i);
            assertEquals(x.alpha(), y.alpha(), 0.0, "α at step " + i);
            assertTrue(Math.abs(x.solverIterations() - y.solverIterations()) <= 1, "iterations at step " + i);
            assertEquals(x.gradNormSq(), y.gradNormSq(), SAME_STEP_TOL * (1 + x.gradNormSq()), "‖g‖² at " + i);
            // r with the same Hutchinson ‖H‖_F on both routes (r_H is not compared: at rtol 1e-10 the
            // residual Hp + g it is computed from is itself at the rounding level)
            if (!Double.isNaN(x.r())) {
                assertEquals(x.r(), y.r(), SAME_STEP_TOL, "r at " + i);
            }
        }
    }

    @Test
    void newtonMrTakesTheMeasuredRouteAndTheSameSteps() {
        Mlp mlp = mlp();
        int n = mlp.nParams();
        double[] th0 = mlp.init(7);
        NewtonMr.Options o = options(n);
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 25, 8), be)) {
            Run free = newton(plan, o.withHessian(HessianOperator.Mode.MATRIX_FREE), null, th0);
            assertEquals(Route.MATRIX_FREE, free.hessianRoute().route());
            assertEquals(Basis.FORCED, free.hessianRoute().basis());
            int m0 = free.trace().get(0).solverIterations();
            int cap = 10 * n;
            assertTrue(m0 + 2 < cap, "the first solve ends before the cap: " + m0);

            // dense cheaper at any m: dense throughout
            Run dense = newton(plan, o, fixed(n, 0.5), th0);
            HessianRoute.Decision d = dense.hessianRoute();
            assertEquals(Route.DENSE, d.route());
            assertEquals(Route.DENSE, d.first());
            assertEquals(Basis.REVISED, d.basis());
            assertEquals(m0, d.expected(), 1 + 0.01 * m0, "revised with the first solve's count");
            assertEquals(n, dense.trace().get(0).hvps(), "H assembled at the first step");
            sameSteps(free, dense);

            // matrix-free cheaper at any m: no assembly
            Run mf = newton(plan, o, fixed(n, 1e12), th0);
            assertEquals(Route.MATRIX_FREE, mf.hessianRoute().route());
            assertEquals(Route.MATRIX_FREE, mf.hessianRoute().first());
            assertEquals(free.trace().get(0).hvps(), mf.trace().get(0).hvps());
            sameSteps(free, mf);

            // dense at the cap, matrix-free at the first solve's count: switches after step 0
            double breakEven = 0.5 * (m0 + 2 + cap);
            Run switched = newton(plan, o, fixed(n, breakEven), th0);
            HessianRoute.Decision s = switched.hessianRoute();
            assertEquals(Route.DENSE, s.first());
            assertEquals(Route.MATRIX_FREE, s.route());
            assertEquals(Basis.REVISED, s.basis());
            assertEquals(n, switched.trace().get(0).hvps(), "dense at step 0");
            Iterate t1 = switched.trace().get(1);
            if (t1.flag() != null) {
                // step 1 spends what the matrix-free run's step 1 spends (its solve and the Hutchinson probes)
                long freeStep1 = free.trace().get(1).hvps() - free.trace().get(0).hvps();
                assertEquals(freeStep1, t1.hvps() - n, 2, "matrix-free from step 1");
            }
            sameSteps(free, switched);
        }
    }

    @Test
    void dampedNewtonRecordsItsRoute() {
        Mlp mlp = mlp();
        int n = mlp.nParams();
        DampedNewton.Options o = DampedNewton.Options.defaults().withMaxIterations(2).withGammas(0, 1e-2)
                .withSolver(NewtonMr.Options.defaults().solver().withRtol(1e-10).withMaxit(10 * n));
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 25, 3), be)) {
            Run free;
            try (DampedNewton dn = new DampedNewton(plan, o.withHessian(HessianOperator.Mode.MATRIX_FREE))) {
                free = dn.run(mlp.init(4));
            }
            Run dense;
            try (DampedNewton dn = new DampedNewton(plan, o).withRouteProbe(fixed(n, 0.5))) {
                dense = dn.run(mlp.init(4));
            }
            assertEquals(Route.DENSE, dense.hessianRoute().route());
            assertEquals(Basis.REVISED, dense.hessianRoute().basis());
            assertEquals(free.trace().size(), dense.trace().size());
            for (int i = 0; i < free.trace().size(); i++) {
                Iterate f = free.trace().get(i);
                Iterate d = dense.trace().get(i);
                assertEquals(f.gamma(), d.gamma(), 0.0, "γ chosen at step " + i);
                assertEquals(f.gradNormSq(), d.gradNormSq(), SAME_STEP_TOL * (1 + f.gradNormSq()), "‖g‖² at " + i);
            }
        }
    }

    @Test
    void measuredRouteWarmRunAllocatesNothing() {
        Mlp mlp = mlp();
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 25, 10), be);
             NewtonMr nm = new NewtonMr(plan, NewtonMr.Options.defaults().withMaxIterations(3))) {
            Run first = nm.run(mlp.init(2));
            assertNotNull(first.hessianRoute().costs(), "measured at the first run");
            long before = be.allocations();
            Run second = nm.run(mlp.init(3));
            assertEquals(before, be.allocations(), "a warm run with a measured route must not allocate");
            assertTrue(second.hessianRoute().costs() == first.hessianRoute().costs(), "costs measured once");
        }
    }
}
