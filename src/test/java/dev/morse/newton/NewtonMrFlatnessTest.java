package dev.morse.newton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.index.HessianOperator;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import dev.morse.optim.Iterate;
import dev.morse.optim.Run;
import dev.morse.optim.StopReason;
import dev.morse.testing.Objectives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * r and r_H at the last iterate only ({@code record.flatness: last}): the steps are the same as
 * with r at every iterate (they never depend on ‖H‖_F), the r, r_H columns are empty but for the
 * last row, which has the same r and r_H, and each step saves the 32 Hutchinson HVPs.
 */
class NewtonMrFlatnessTest {
    private static final double SAME_R_TOL = 1e-12;
    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** N = 301 > 256: ‖H‖_F is Hutchinson's (32 HVPs per estimate). */
    private static Mlp mlp() {
        return Mlp.builder().widths(8, 30, 1).activation(Activation.TANH).loss(Loss.MSE).l2(1.0).build();
    }

    private static Run run(Plan plan, NewtonMr.Options o, double[] th0) {
        try (NewtonMr nm = new NewtonMr(plan, o)) {
            return nm.run(th0);
        }
    }

    private static void sameButR(Run every, Run last) {
        assertEquals(every.stop(), last.stop());
        assertEquals(every.trace().size(), last.trace().size());
        int end = every.trace().size() - 1;
        for (int i = 0; i <= end; i++) {
            Iterate a = every.trace().get(i);
            Iterate b = last.trace().get(i);
            assertEquals(a.loss(), b.loss(), 0.0, "loss at " + i);
            assertEquals(a.gradNormSq(), b.gradNormSq(), 0.0, "‖g‖² at " + i);
            assertEquals(a.alpha(), b.alpha(), 0.0, "α at " + i);
            assertEquals(a.relres(), b.relres(), 0.0, "relres at " + i);
            assertTrue(Double.isFinite(a.r()) && Double.isFinite(a.rH()), "every iterate has r at " + i);
            if (i < end) {
                assertTrue(Double.isNaN(b.r()) && Double.isNaN(b.rH()), "no r before the last iterate, at " + i);
            } else {
                assertEquals(a.r(), b.r(), SAME_R_TOL * a.r(), "the last iterate's r");
                assertEquals(a.rH(), b.rH(), SAME_R_TOL * a.rH(), "the last iterate's r_H");
            }
        }
        assertEquals(every.theta().length, last.theta().length);
        for (int i = 0; i < every.theta().length; i++) {
            assertEquals(every.theta()[i], last.theta()[i], 0.0, "θ[" + i + "]");
        }
    }

    @Test
    void atTheIterationCapTheStepsAreTheSameAndOnlyTheLastRowHasR() {
        Mlp mlp = mlp();
        double[] th0 = mlp.init(11);
        NewtonMr.Options every = NewtonMr.Options.defaults().withMaxIterations(5)
                .withHessian(HessianOperator.Mode.MATRIX_FREE);
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 40, 3), be)) {
            Run a = run(plan, every, th0);
            Run b = run(plan, every.withFlatnessEveryIterate(false), th0);
            assertEquals(StopReason.ITERATION_CAP, a.stop());
            sameButR(a, b);
            long hvpsA = a.trace().get(a.trace().size() - 1).hvps();
            long hvpsB = b.trace().get(b.trace().size() - 1).hvps();
            assertEquals(5L * 32, hvpsA - hvpsB, "32 Hutchinson HVPs saved at each of the 5 steps");
        }
    }

    @Test
    void whenTheLineSearchCannotMoveThetaTheStuckIterateGetsItsR() {
        Mlp mlp = mlp();
        double[] th0 = mlp.init(12);
        // ρ = ρ' = 0.999 ask for nearly all of the model's decrease, and steps below 0.05 are refused
        NewtonMr.Options every = NewtonMr.Options.defaults().withMaxIterations(50)
                .withHessian(HessianOperator.Mode.MATRIX_FREE).withLineSearch(0.1, 0.5, 0.999, 0.999).withMinStep(0.05);
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 40, 3), be)) {
            Run a = run(plan, every, th0);
            Run b = run(plan, every.withFlatnessEveryIterate(false), th0);
            assertEquals(StopReason.THETA_UNCHANGED, a.stop());
            sameButR(a, b);
            Iterate la = a.trace().get(a.trace().size() - 1);
            Iterate lb = b.trace().get(b.trace().size() - 1);
            assertEquals(la.gradients() + 1, lb.gradients(), "θ linearized once more for the stuck iterate's H");
        }
    }
}
