package dev.morse.krylov;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.cpu.CpuBackend;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Lanczos with full reorthogonalization against a matrix of known spectrum. */
class LanczosTest {
    /** Extreme Ritz values after enough steps, relative to ‖A‖ (rounding of a converged pair). */
    private static final double EXTREME_TOL = 1e-10;

    private static double[] spectrum(int n, Random rnd) {
        double[] lam = new double[n];
        for (int i = 0; i < n; i++) {
            lam[i] = -1 + 3.0 * rnd.nextDouble();
        }
        lam[0] = -2.5; // isolated extremes, so m ≪ N steps converge them
        lam[1] = 4.0;
        Arrays.sort(lam);
        return lam;
    }

    @Test
    void tridiagonalMatchesKnownEigenvalues() {
        // T = tridiag(1, 2, 1) of order m has eigenvalues 2 + 2cos(kπ/(m+1))
        int m = 7;
        double[] a = new double[m];
        double[] b = new double[m];
        Arrays.fill(a, 2.0);
        Arrays.fill(b, 1.0);
        Tridiagonal t = Tridiagonal.decompose(a, b, m);
        for (int k = 1; k <= m; k++) {
            assertEquals(2 + 2 * Math.cos((m + 1 - k) * Math.PI / (m + 1)), t.theta()[k - 1], 1e-13);
        }
        // T y_j = θ_j y_j
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < m; i++) {
                double ty = 2 * t.y(i, j) + (i > 0 ? t.y(i - 1, j) : 0) + (i + 1 < m ? t.y(i + 1, j) : 0);
                assertEquals(t.theta()[j] * t.y(i, j), ty, 1e-13);
            }
        }
    }

    @Test
    void extendingARunEqualsRunningItLonger() {
        Random rnd = new Random(17);
        int n = 120;
        double[] a = TestMatrices.withSpectrum(TestMatrices.randomOrthogonal(n, rnd), spectrum(n, rnd));
        try (Backend be = new CpuBackend(); DArray ad = TestMatrices.upload(be, a);
             DArray b = TestMatrices.upload(be, TestMatrices.gaussian(n, rnd)); Lanczos lz = new Lanczos(be, n, 90)) {
            DenseOperator op = new DenseOperator(be, n, ad, 0);
            assertEquals(70, lz.iterate(op, b, 0, 70));
            Lanczos.Result once = lz.result();
            assertEquals(20, lz.iterate(op, b, 0, 20));
            lz.result(); // a look at T_20 in between, as the adaptive SLQ takes
            assertEquals(45, lz.extend(op, 25));
            assertEquals(70, lz.extend(op, 25));
            Lanczos.Result ext = lz.result();
            for (int j = 0; j < 70; j++) {
                assertEquals(once.alpha()[j], ext.alpha()[j], 1e-12 * 4, "α_" + j);
                assertEquals(once.beta()[j], ext.beta()[j], 1e-12 * 4, "β_" + j);
            }
            assertEquals(90, lz.extend(op, 20), "up to the capacity");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> lz.extend(op, 1));
        }
    }

    @Test
    void extremesResidualsAndFullRun() {
        Random rnd = new Random(7);
        int n = 200;
        double[] lam = spectrum(n, rnd);
        double[] q = TestMatrices.randomOrthogonal(n, rnd);
        double[] a = TestMatrices.withSpectrum(q, lam);
        try (Backend be = new CpuBackend(); DArray ad = TestMatrices.upload(be, a);
             DArray b = TestMatrices.upload(be, TestMatrices.gaussian(n, rnd));
             Lanczos lz = new Lanczos(be, n, n); DArray x = be.alloc(n); DArray ax = be.alloc(n)) {
            DenseOperator op = new DenseOperator(be, n, ad, 0);
            assertEquals(60, lz.iterate(op, b, 0, 60));
            Lanczos.Result r = lz.result();
            assertEquals(lam[0], r.ritzValue(0), EXTREME_TOL * 4);
            assertEquals(lam[n - 1], r.ritzValue(59), EXTREME_TOL * 4);
            // measured residual ‖A y − θ y‖ equals |β_m y_mj| for every Ritz pair (to rounding)
            for (int j : new int[] {0, 5, 30, 59}) {
                lz.ritzVector(r, j, x, 0);
                assertEquals(1.0, be.nrm2(n, x, 0), 1e-12);
                op.apply(x, 0, ax, 0);
                be.axpy(n, -r.ritzValue(j), x, 0, ax, 0);
                assertEquals(r.residualBound(j), be.nrm2(n, ax, 0), 1e-9);
            }
            // the quadrature weights of the start vector sum to 1
            double s = 0;
            for (int j = 0; j < r.steps(); j++) {
                s += r.weight(j);
            }
            assertEquals(1.0, s, 1e-12);
            // N steps: an invariant subspace, every eigenvalue found (no ghosts)
            int m = lz.iterate(op, b, 0, n);
            Lanczos.Result full = lz.result();
            assertTrue(full.invariant());
            assertEquals(n, m);
            double[] th = full.ritzValues();
            for (int i = 0; i < n; i++) {
                assertEquals(lam[i], th[i], 1e-11, "eigenvalue " + i);
            }
        }
    }

    @Test
    void lockedVectorsAreDeflated() {
        Random rnd = new Random(8);
        int n = 120;
        double[] lam = spectrum(n, rnd);
        double[] q = TestMatrices.randomOrthogonal(n, rnd);
        double[] a = TestMatrices.withSpectrum(q, lam);
        try (Backend be = new CpuBackend(); DArray ad = TestMatrices.upload(be, a);
             DArray b = TestMatrices.upload(be, TestMatrices.gaussian(n, rnd));
             DArray v0 = TestMatrices.upload(be, TestMatrices.column(q, n, 0));
             Lanczos lz = new Lanczos(be, n, n)) {
            DenseOperator op = new DenseOperator(be, n, ad, 0);
            assertTrue(lz.lock(v0, 0) > 0.99);
            int m = lz.iterate(op, b, 0, n - 1);
            assertEquals(n - 1, m);
            double[] th = lz.result().ritzValues();
            for (int i = 1; i < n; i++) {
                assertEquals(lam[i], th[i - 1], 1e-11, "deflated eigenvalue " + i);
            }
            // a vector already locked is not locked twice
            assertEquals(0.0, lz.lock(v0, 0));
            assertEquals(1, lz.locked());
        }
    }

    @Test
    void warmIterationsAllocateNothing() {
        Random rnd = new Random(9);
        int n = 64;
        double[] lam = spectrum(n, rnd);
        double[] a = TestMatrices.withSpectrum(TestMatrices.randomOrthogonal(n, rnd), lam);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        try (Backend be = new CpuBackend(); DArray ad = TestMatrices.upload(be, a);
             DArray b = TestMatrices.upload(be, TestMatrices.gaussian(n, rnd)); Lanczos lz = new Lanczos(be, n, 40)) {
            DenseOperator op = new DenseOperator(be, n, ad, 0);
            for (int i = 0; i < 300; i++) {
                lz.iterate(op, b, 0, 30);
            }
            long dev = be.allocations();
            long p0 = threads.getThreadAllocatedBytes(tid);
            long probe = threads.getThreadAllocatedBytes(tid) - p0;
            long heap = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                long h0 = threads.getThreadAllocatedBytes(tid);
                lz.iterate(op, b, 0, 30);
                heap = Math.min(heap, threads.getThreadAllocatedBytes(tid) - h0 - probe);
            }
            assertEquals(dev, be.allocations(), "device arrays allocated by warm Lanczos iterations");
            assertTrue(heap <= 0, "Java heap bytes allocated by warm Lanczos iterations: " + heap);
        }
    }
}
