package dev.morse.newton;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.morse.ad.Plan;
import dev.morse.ad.Program;
import dev.morse.ad.Tracer;
import dev.morse.ad.Value;
import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.index.HessianOperator;
import dev.morse.optim.Run;
import dev.morse.problems.Quartic;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Newton-MR's line search (thesis Alg 12, Alg 13 lines 9-14), checked step by step from the
 * outside: every iterate θ_t, g_t and H_t g_t is recorded by a listener, the direction is
 * p_t = (θ_{t+1} − θ_t)/α_t, and ‖g‖² at trial points is recomputed by an independent plan.
 * For every step: sufficient decrease ‖g_{t+1}‖² ≤ ‖g_t‖² + 2ρα_t p_tᵀH_t g_t; the unit step
 * tried first with ρ' (α_t < 1 only if it fails ρ'; α_t = 1 with a_t < 1 only if it passes);
 * otherwise α_t = a_t β^j with a_0 = α and a_{t+1} = min(1, α_t/β); and when j > 0, the
 * previous trial α_t/β failed. Mutations of NewtonMr (max for min in line 14, ρ for ρ' in the
 * unit check) make this test fail.
 */
class NewtonMrLineSearchTest {
    /** Slack on ‖g‖² comparisons: p is rebuilt from rounded θ's (relative 1e-16 / α), so 1e-9 relative. */
    private static final double TOL = 1e-9;

    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private static Program himmelblau() {
        Tracer t = new Tracer(2);
        Value x = t.param(0, 1, 1);
        Value y = t.param(1, 1, 1);
        return t.program(x.square().add(y).plus(-11).square().add(x.add(y.square()).plus(-7).square()));
    }

    private record Iter(double[] theta, double[] g, double[] hg) {
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[] along(double[] th, double a, double[] p) {
        double[] out = th.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += a * p[i];
        }
        return out;
    }

    /** Counts: steps, unit steps, steps below 1, steps after at least one backtrack. */
    private int[] checkRuns(Program program, double[][] starts, NewtonMr.Options o) {
        int[] counts = new int[4];
        try (Plan plan = Plan.compile(program, be); Plan check = Plan.compile(program, be);
             NewtonMr nm = new NewtonMr(plan, o)) {
            for (double[] start : starts) {
                List<Iter> its = new ArrayList<>();
                Run run = nm.run(start, (t, lin) -> {
                    double[] g = lin.gradientArray();
                    double[] th = new double[g.length];
                    be.download(lin.theta(), 0, th, 0, th.length);
                    its.add(new Iter(th, g, lin.hvp(g)));
                });
                double a = o.alpha();
                for (int t = 0; t + 1 < its.size(); t++) {
                    double alpha = run.trace().get(t).alpha();
                    Iter it = its.get(t);
                    double s = dot(it.g(), it.g());
                    double[] gNext = its.get(t + 1).g();
                    double sNext = dot(gNext, gNext);
                    double[] p = new double[it.theta().length];
                    for (int i = 0; i < p.length; i++) {
                        p[i] = (its.get(t + 1).theta()[i] - it.theta()[i]) / alpha;
                    }
                    double slope = dot(p, it.hg());
                    double tol = TOL * s;
                    String at = "step " + t + " from " + java.util.Arrays.toString(start) + " (α = " + alpha + ")";
                    counts[0]++;
                    // sufficient decrease, Alg 12
                    assertTrue(sNext <= s + 2 * o.rho() * alpha * slope + tol,
                            at + ": ‖g‖² " + sNext + " > " + s + " + 2ρα·" + slope);
                    if (alpha == 1.0) {
                        counts[1]++;
                        if (a < 1.0) {
                            // backtracking would start below 1: only the ρ' check accepts the unit step
                            assertTrue(sNext <= s + 2 * o.rhoPrime() * slope + tol,
                                    at + ": a unit step taken without passing ρ' (" + sNext + ")");
                        }
                    } else {
                        counts[2]++;
                        // the unit step was tried first and failed ρ'
                        double sUnit = check.at(along(it.theta(), 1.0, p)).gradNormSq();
                        assertTrue(sUnit > s + 2 * o.rhoPrime() * slope - tol,
                                at + ": the unit step passes ρ' (" + sUnit + ") but was not taken");
                        // α = a·β^j: the start value a, then halvings
                        int j = 0;
                        double trial = a;
                        while (trial > alpha && j < 200) {
                            trial *= o.beta();
                            j++;
                        }
                        if (trial != alpha) {
                            fail(at + ": not the start value " + a + " times a power of β = " + o.beta());
                        }
                        if (j > 0) {
                            counts[3]++;
                            double prev = alpha / o.beta();
                            double sPrev = check.at(along(it.theta(), prev, p)).gradNormSq();
                            assertTrue(sPrev > s + 2 * o.rho() * prev * slope - tol,
                                    at + ": the larger trial α = " + prev + " passes, so backtracking went too far");
                        }
                    }
                    a = Math.min(1.0, alpha / o.beta()); // Alg 13 line 14 (min, not the printed max)
                }
            }
        }
        return counts;
    }

    private static double[][] starts(int count, int n, double lo, double hi, long seed) {
        Random r = new Random(seed);
        double[][] s = new double[count][n];
        for (double[] p : s) {
            for (int i = 0; i < n; i++) {
                p[i] = lo + (hi - lo) * r.nextDouble();
            }
        }
        return s;
    }

    @Test
    void everyStepObeysAlgorithm12() {
        NewtonMr.Options o = NewtonMr.Options.defaults().withMaxIterations(60).withHessian(HessianOperator.Mode.DENSE)
                .withGradNormSqFloor(1e-20);
        int[] c = checkRuns(himmelblau(), starts(30, 2, -5, 5, 1), o);
        int[] q = checkRuns(Quartic.program(), starts(30, 2, -4, 4, 2), o);
        for (int i = 0; i < 4; i++) {
            c[i] += q[i];
        }
        // the test must exercise every branch it checks
        assertTrue(c[1] > 0 && c[2] > 0 && c[3] > 0, "unit steps " + c[1] + ", shorter steps " + c[2]
                + ", after backtracking " + c[3] + " of " + c[0]);
    }

    @Test
    void otherLineSearchConstantsAreHonoured() {
        NewtonMr.Options o = NewtonMr.Options.defaults().withMaxIterations(40).withHessian(HessianOperator.Mode.DENSE)
                .withLineSearch(0.25, 0.3, 0.2, 0.4);
        int[] c = checkRuns(Quartic.program(), starts(20, 2, -4, 4, 3), o);
        assertTrue(c[2] > 0, "some steps shorter than 1: " + c[2] + " of " + c[0]);
    }
}
