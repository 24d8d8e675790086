package dev.morse.newton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.krylov.TestMatrices;
import dev.morse.optim.Run;
import dev.morse.optim.StopReason;
import dev.morse.problems.Quartic;
import dev.morse.testing.DenseQuadratic;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GradNormMinTest {
    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private static void assertMonotone(Run run) {
        for (int i = 1; i < run.trace().size(); i++) {
            assertTrue(run.trace().get(i).gradNormSq() <= run.trace().get(i - 1).gradNormSq(),
                    "‖g‖² must not increase (step " + i + ")");
        }
    }

    @Test
    void convergesOnAWellConditionedQuadratic() {
        int n = 10;
        double[] lam = new double[n];
        for (int i = 0; i < n; i++) {
            lam[i] = (i % 2 == 0 ? 1 : -1) * (1 + 0.2 * i); // indefinite: GNM does not care
        }
        double[] a = TestMatrices.withSpectrum(TestMatrices.randomOrthogonal(n, new Random(1)), lam);
        double[] b = TestMatrices.gaussian(n, new Random(2));
        for (GradNormMin.Search search : GradNormMin.Search.values()) {
            try (DenseQuadratic f = new DenseQuadratic(be, a, b);
                 GradNormMin gnm = new GradNormMin(f, GradNormMin.Options.defaults().withSearch(search)
                         .withMaxIterations(2000).withGradNormSqFloor(1e-24))) {
                Run run = gnm.run(new double[n]);
                assertEquals(StopReason.GRAD_FLOOR, run.stop(), search + ": " + run.finalGradNormSq());
                assertMonotone(run);
                assertTrue(run.last().hvps() >= run.steps(), "one HVP per step at least");
            }
        }
    }

    @Test
    void quarticIsCaughtByTheGradientFlatPoint() {
        // ∇G = H g vanishes wherever g ∈ ker H: GNM stalls at (√2, 0) like Newton-MR, and finds
        // (−3, 0) from close to it (from farther out, its first long steps can cross −√2).
        try (Plan plan = Plan.compile(Quartic.program(), be)) {
            for (GradNormMin.Search search : GradNormMin.Search.values()) {
                try (GradNormMin gnm = new GradNormMin(plan, GradNormMin.Options.defaults().withSearch(search)
                        .withMaxIterations(3000))) {
                    Run flat = gnm.run(new double[] {2.5, 1});
                    assertEquals(Math.sqrt(2), flat.theta()[0], 1e-3, search.toString());
                    assertEquals(Math.pow(9 - 4 * Math.sqrt(2), 2), flat.finalGradNormSq(), 1e-4, search.toString());
                    assertMonotone(flat);
                    Run crit = gnm.run(new double[] {-3.3, 0.2});
                    assertEquals(-3, crit.theta()[0], 1e-6, search.toString());
                    assertTrue(crit.finalGradNormSq() < 1e-12, search + ": " + crit.finalGradNormSq());
                    assertMonotone(crit);
                }
            }
        }
    }
}
