package dev.morse.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.krylov.DenseOperator;
import dev.morse.krylov.TestMatrices;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The quadrature band's two ends on rules whose answer is known. */
class SlqTest {
    @Test
    void chebyshevMarkovStieltjesSumsOnAGaussRule() {
        // nodes 1, 2, 3, 4 with weights .1 .2 .3 .4; x = 2.5 lies between θ_2 and θ_3 (k = 2)
        Slq.Quadrature q = new Slq.Quadrature(new double[] {1, 2, 3, 4}, new double[] {.1, .2, .3, .4}, false);
        assertEquals(0.3, q.below(2.5), 1e-15);
        assertEquals(0.1, q.lower(2.5), 1e-15, "Σ_{j<k} w_j");
        assertEquals(0.6, q.upper(2.5), 1e-15, "Σ_{j≤k+1} w_j");
        assertEquals(0.0, q.lower(0.5));
        assertEquals(0.1, q.upper(0.5), 1e-15, "below every node: at most the first weight");
        assertEquals(1.0, q.upper(9), 1e-15);
        assertEquals(0.6, q.lower(9), 1e-15);
        Slq.Quadrature exact = new Slq.Quadrature(new double[] {1, 2, 3, 4}, new double[] {.1, .2, .3, .4}, true);
        assertEquals(0.3, exact.lower(2.5), 1e-15);
        assertEquals(0.3, exact.upper(2.5), 1e-15, "an exhausted Krylov space: no band from the rule");
        int big = Integer.MAX_VALUE;
        Slq.Estimate e = new Slq.Estimate(big, List.of(q, q), 0);
        Slq.Band b = e.band(2.5);
        // identical probes: no measured spread, so only the delocalized-projector floor widens the band
        assertEquals(0.1 - 12.706 * Math.sqrt(2 * 0.1 * 0.9 / (2.0 * big)), b.low(), 1e-15);
        assertEquals(0.6 + 12.706 * Math.sqrt(2 * 0.6 * 0.4 / (2.0 * big)), b.high(), 1e-15);
        Slq.Band small = new Slq.Estimate(4, List.of(q, q), 0).band(2.5);
        assertEquals(0.0, small.low(), 0.0, "at N = 4 two agreeing probes prove little: the floor takes the band to 0");
        assertEquals(0.5, b.resolution(), 1e-15);
    }

    @Test
    void adaptiveStepsStopAtTheSlackTargetOrTheCap() {
        Random rnd = new Random(21);
        int n = 300;
        double[] lam = new double[n];
        for (int i = 0; i < n; i++) {
            // a third of the spectrum clustered near zero, as a network Hessian's
            lam[i] = i < n / 3 ? 1e-3 * rnd.nextGaussian() : -1 + 3 * rnd.nextDouble();
        }
        Arrays.sort(lam);
        double[] a = TestMatrices.withSpectrum(TestMatrices.randomOrthogonal(n, rnd), lam);
        double x = -0.01;
        try (Backend be = new CpuBackend(); DArray ad = TestMatrices.upload(be, a);
             Eigenpairs ep = new Eigenpairs(be, n, Slq.DEFAULT_STEPS, 0, n)) {
            DenseOperator op = new DenseOperator(be, n, ad, 0);
            Slq.Estimate fixed = Slq.run(op, ep.lanczos(), 4, 40, 5, ep.scratch());
            assertTrue(fixed.resolution(x) > 0.01, "40 steps should not resolve the cluster: " + fixed.resolution(x));
            Slq.Estimate q = Slq.runAdaptive(op, ep.lanczos(), 4, x, 0.01, n, 5, ep.scratch());
            long steps = 0;
            for (int p = 0; p < 4; p++) {
                Slq.Quadrature qp = q.probes().get(p);
                assertTrue(qp.upper(x) - qp.lower(x) <= 0.01, "probe " + p + " slack " + (qp.upper(x) - qp.lower(x)));
                steps += qp.nodes().length;
                // the same probe run for its final step count in one go gives the same rule
                Slq.Estimate one = Slq.run(op, ep.lanczos(), 1, qp.nodes().length, 5 + p, ep.scratch());
                assertEquals(qp.lower(x), one.probes().get(0).lower(x), 1e-10);
                assertEquals(qp.upper(x), one.probes().get(0).upper(x), 1e-10);
            }
            assertEquals(steps, q.applies(), "one HVP per step");
            assertTrue(q.resolution(x) <= 0.01);
            Slq.Estimate capped = Slq.runAdaptive(op, ep.lanczos(), 4, x, 1e-9, 60, 5, ep.scratch());
            for (int s : capped.steps()) {
                assertEquals(60, s, "an unreachable target stops at the cap");
            }
            Slq.Estimate loose = Slq.runAdaptive(op, ep.lanczos(), 4, x, 1.0, n, 5, ep.scratch());
            for (int s : loose.steps()) {
                assertEquals(Slq.FIRST, s, "a met target stops at the first look");
            }
        }
    }

    @Test
    void exhaustedKrylovSpacesLeaveOnlySamplingError() {
        Random rnd = new Random(12);
        int n = 60;
        double[] lam = new double[n];
        for (int i = 0; i < n; i++) {
            lam[i] = -1 + 3 * rnd.nextDouble();
        }
        Arrays.sort(lam);
        double[] a = TestMatrices.withSpectrum(TestMatrices.randomOrthogonal(n, rnd), lam);
        int below = 0;
        for (double l : lam) {
            below += l < -0.2 ? 1 : 0;
        }
        try (Backend be = new CpuBackend(); DArray ad = TestMatrices.upload(be, a);
             Eigenpairs ep = new Eigenpairs(be, n, n, 0)) {
            Slq.Estimate q = Slq.run(new DenseOperator(be, n, ad, 0), ep.lanczos(), 12, n, 3, ep.scratch());
            for (Slq.Quadrature p : q.probes()) {
                assertTrue(p.exact(), "m = N exhausts the Krylov space");
            }
            assertEquals(0.0, q.resolution(-0.2), 1e-15);
            assertEquals(-0.2, -IndexEstimator.raise(q, 0.2, IndexEstimator.DEFAULT_RESOLUTION), 0.0,
                    "nothing to raise when the rule resolves −δ");
            Slq.Band b = q.band(-0.2);
            double f = (double) below / n;
            // only sampling error is left: the estimate is within three of its standard errors (the
            // band, ± t_{0.975, 11} = 2.201 standard errors, misses one time in 20)
            assertEquals(f, b.estimate(), 3 * b.standardError(), b.toString());
            double[] lo = new double[q.probes().size()];
            for (int i = 0; i < lo.length; i++) {
                lo[i] = q.probes().get(i).below(-0.2);
            }
            double se = Math.max(Slq.standardError(lo), Slq.rademacherError(Slq.mean(lo), n, lo.length));
            assertEquals(2 * 2.201 * se, b.width(), 1e-12,
                    "the band is ± t_{0.975, 11} standard errors (measured, or the Rademacher floor)");
            assertEquals(b.width() / 2, b.samplingHalfWidth(), 1e-12);
            assertTrue(b.standardError() < 0.05, "a standard error too wide to test anything: " + b);
        }
    }
}
