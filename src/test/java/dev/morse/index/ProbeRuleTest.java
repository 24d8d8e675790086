package dev.morse.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.krylov.SymmetricOperator;
import org.junit.jupiter.api.Test;

/**
 * The adaptive probe rule of {@link IndexEstimator} on operators W·D·W/N (W the Sylvester-Hadamard
 * matrix, so the eigenvectors are dense and Rademacher probes have sampling error; a diagonal
 * operator would give every probe the exact fraction) with four distinct eigenvalues: every
 * Lanczos run exhausts its Krylov space in four steps, so the quadrature is
 * exact and only sampling error is left, whose size is known (for Rademacher probes
 * Var F_v(x) = 2p(1 − p)/N·(1 + O(1/N)) for the fraction p below x). The rule stops at the
 * first probe count whose sampling half-width is ≤ resolution / 2: 5 when N is large or p small,
 * about (2·√(2p(1 − p)/N) / 0.005)² in between, and at the cap when N is small.
 */
class ProbeRuleTest {
    private static final double DELTA = 1e-3;

    /** W·diag(λ)·W/N with a fraction p of λ at −1 and the rest spread over 0.5, 1, 2 (N a power of 2). */
    private record Rotated(Backend backend, double[] lambda) implements SymmetricOperator {
        static Rotated of(Backend be, int n, double p) {
            double[] l = new double[n];
            int neg = (int) Math.round(p * n);
            for (int i = 0; i < n; i++) {
                l[i] = i < neg ? -1.0 : new double[] {0.5, 1.0, 2.0}[i % 3];
            }
            return new Rotated(be, l);
        }

        @Override
        public int n() {
            return lambda.length;
        }

        @Override
        public void apply(DArray x, long xo, DArray y, long yo) {
            double[] h = new double[lambda.length];
            backend.download(x, xo, h, 0, h.length);
            hadamard(h);
            for (int i = 0; i < h.length; i++) {
                h[i] *= lambda[i] / h.length;
            }
            hadamard(h);
            backend.upload(h, 0, y, yo, h.length);
        }

        /** In place x ← W·x (fast Walsh-Hadamard transform, unnormalized). */
        private static void hadamard(double[] x) {
            for (int len = 1; len < x.length; len <<= 1) {
                for (int i = 0; i < x.length; i += len << 1) {
                    for (int j = i; j < i + len; j++) {
                        double a = x[j];
                        double b = x[j + len];
                        x[j] = a + b;
                        x[j + len] = a - b;
                    }
                }
            }
        }
    }

    private static Slq.Estimate run(Backend be, int n, double p, int probes) {
        IndexEstimator.Options o = IndexEstimator.Options.defaults().withThreshold(DELTA).withBudget(probes, 10);
        try (IndexEstimator est = new IndexEstimator(be, n, o, IndexEstimator.Method.SLQ)) {
            return est.probes(Rotated.of(be, n, p), 0);
        }
    }

    private static double halfWidth(Slq.Estimate q, int probes) {
        return new Slq.Estimate(q.n(), q.probes().subList(0, probes), 0).band(-DELTA).samplingHalfWidth();
    }

    @Test
    void stopsAtTheFirstProbeCountThatSamplesWithinHalfTheResolution() {
        double target = IndexEstimator.DEFAULT_RESOLUTION / 2;
        try (Backend be = new CpuBackend()) {
            Slq.Estimate mid = run(be, 2048, 0.3, Slq.ADAPTIVE_PROBES);
            int k = mid.probes().size();
            for (Slq.Quadrature q : mid.probes()) {
                assertTrue(q.exact(), "four distinct eigenvalues: the Krylov space is exhausted");
            }
            assertTrue(halfWidth(mid, k) <= target, "stopped with half-width " + halfWidth(mid, k));
            for (int j = Slq.MIN_PROBES; j < k; j++) {
                assertTrue(halfWidth(mid, j) > target, "should have stopped at " + j + " probes");
            }
            // the floor √(2p(1 − p)/N) = 0.0143 per probe alone asks for (2.03·0.0143 / 0.005)² ≈ 34 probes
            assertTrue(k >= 30 && k < Slq.MAX_PROBES, k + " probes");
            assertEquals(0.3, mid.band(-DELTA).estimate(), 3 * mid.band(-DELTA).standardError());

            // a small fraction at N = 2048, or any fraction at large N: the minimum
            assertEquals(Slq.MIN_PROBES, run(be, 2048, 0.001, Slq.ADAPTIVE_PROBES).probes().size());
            assertEquals(Slq.MIN_PROBES, run(be, 1 << 18, 0.3, Slq.ADAPTIVE_PROBES).probes().size());
            // a small N with a large fraction: the cap
            assertEquals(Slq.MAX_PROBES, run(be, 256, 0.3, Slq.ADAPTIVE_PROBES).probes().size());
            // a fixed count is kept
            assertEquals(7, run(be, 2048, 0.3, 7).probes().size());
        }
    }
}
