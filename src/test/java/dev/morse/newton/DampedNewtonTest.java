package dev.morse.newton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.index.HessianOperator;
import dev.morse.index.PointClass;
import dev.morse.krylov.TestMatrices;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import dev.morse.optim.Candidate;
import dev.morse.optim.Iterate;
import dev.morse.optim.Run;
import dev.morse.problems.Quartic;
import dev.morse.testing.DenseQuadratic;
import dev.morse.testing.Objectives;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DampedNewtonTest {
    /** MINRES-QLP rtol 1e-12 on a κ ≤ 20 system: merits agree with the closed form to this. */
    private static final double MERIT_TOL = 1e-9;

    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    @Test
    void everyGammaIsReallyUsed() {
        // L = ½θᵀAθ + bᵀθ at θ = 0: g = b, p_γ = −(A + γI)⁻¹b, and
        // g(θ + p_γ) = b + Ap_γ = γ(A + γI)⁻¹b, so ‖g(θ + p_γ)‖² = Σ_i (γ c_i / (λ_i + γ))²
        // with c = Qᵀb: a different value for every γ. A candidate solved with the wrong γ
        // (the captured-loop-variable bug) would not match its own row.
        int n = 12;
        double[] lam = new double[n];
        for (int i = 0; i < n; i++) {
            lam[i] = 1 + i;
        }
        double[] q = TestMatrices.randomOrthogonal(n, new Random(1));
        double[] a = TestMatrices.withSpectrum(q, lam);
        double[] b = TestMatrices.gaussian(n, new Random(2));
        double[] c = new double[n];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                c[k] += q[i * n + k] * b[i];
            }
        }
        double[] gammas = {3, 0.5, 0, 10, 1e-2};
        DampedNewton.Options o = DampedNewton.Options.defaults().withGammas(gammas).withMaxIterations(3)
                .withSolver(NewtonMr.Options.defaults().solver().withRtol(1e-12));
        try (DenseQuadratic f = new DenseQuadratic(be, a, b); DampedNewton dn = new DampedNewton(f, o)) {
            Run run = dn.run(new double[n]);
            List<Candidate> cands = run.trace().get(0).candidates();
            assertEquals(gammas.length, cands.size());
            Set<Double> merits = new HashSet<>();
            for (int j = 0; j < gammas.length; j++) {
                Candidate cd = cands.get(j);
                assertEquals(gammas[j], cd.gamma(), 0.0);
                double expected = 0;
                double pn = 0;
                for (int k = 0; k < n; k++) {
                    double e = gammas[j] * c[k] / (lam[k] + gammas[j]);
                    expected += e * e;
                    double pk = c[k] / (lam[k] + gammas[j]);
                    pn += pk * pk;
                }
                assertEquals(expected, cd.gradNormSqAfter(), MERIT_TOL * (1 + expected), "γ = " + gammas[j]);
                assertEquals(Math.sqrt(pn), cd.pNorm(), MERIT_TOL, "‖p_γ‖ for γ = " + gammas[j]);
                merits.add(cd.gradNormSqAfter());
            }
            assertEquals(gammas.length, merits.size(), "each γ gives its own merit");
            assertEquals(0.0, run.trace().get(0).gamma(), 0.0, "the undamped step is best on a convex quadratic");
            assertTrue(run.finalGradNormSq() < 1e-20);
            assertEquals(PointClass.CRITICAL, run.classify());
        }
    }

    @Test
    void picksTheBestCandidateEachStep() {
        try (Plan plan = Plan.compile(Quartic.program(), be);
             DampedNewton dn = new DampedNewton(plan, DampedNewton.Options.defaults().withMaxIterations(40))) {
            Run run = dn.run(new double[] {-4, 3});
            for (Iterate it : run.trace()) {
                if (it.candidates().isEmpty() || it.t() + 1 >= run.trace().size()) {
                    continue;
                }
                double best = Double.POSITIVE_INFINITY;
                for (Candidate cd : it.candidates()) {
                    if (!Double.isNaN(cd.gradNormSqAfter())) {
                        best = Math.min(best, cd.gradNormSqAfter());
                    }
                }
                Iterate next = run.trace().get(it.t() + 1);
                assertEquals(best, next.gradNormSq(), 1e-12 * (1 + best), "step " + it.t());
            }
            double[] th = run.theta();
            assertEquals(-3, th[0], 1e-10);
            assertEquals(0, th[1], 1e-10);
        }
    }

    @Test
    void denseAndMatrixFreeTakeTheSameSteps() {
        Mlp mlp = Mlp.builder().widths(2, 5, 1).activation(Activation.TANH).loss(Loss.MSE).l2(1e-2).build();
        DampedNewton.Options o = DampedNewton.Options.defaults().withMaxIterations(6)
                .withSolver(NewtonMr.Options.defaults().solver().withRtol(1e-10).withMaxit(10 * mlp.nParams()));
        Run dense;
        Run free;
        try (Plan plan = Plan.compile(Objectives.smallMlpLoss(mlp, 20, 3), be)) {
            try (DampedNewton dn = new DampedNewton(plan, o.withHessian(HessianOperator.Mode.DENSE))) {
                dense = dn.run(mlp.init(4));
            }
            try (DampedNewton dn = new DampedNewton(plan, o.withHessian(HessianOperator.Mode.MATRIX_FREE))) {
                free = dn.run(mlp.init(4));
            }
        }
        assertEquals(dense.trace().size(), free.trace().size());
        for (int i = 0; i < dense.trace().size(); i++) {
            Iterate d = dense.trace().get(i);
            Iterate f = free.trace().get(i);
            assertEquals(d.gamma(), f.gamma(), 0.0, "γ chosen at step " + i);
            assertEquals(d.gradNormSq(), f.gradNormSq(), 1e-8 * (1 + d.gradNormSq()), "‖g‖² at step " + i);
        }
    }

    @Test
    void optionsAreValidated() {
        DampedNewton.Options d = DampedNewton.Options.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withGammas());
        assertThrows(IllegalArgumentException.class, () -> d.withGammas(1, -1));
        assertThrows(IllegalArgumentException.class, () -> d.withGammas(Double.NaN));
        double[] g = d.gammas();
        g[0] = 99;
        assertEquals(0, d.gammas()[0], 0.0, "options are immutable");
    }
}
