package dev.morse.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Backend contract, operation by operation, against plain-Java references computed
 * here (so it means something for the CPU backend too). Subclassed per backend with a
 * ten-line {@link #create()}.
 *
 * <p>Error metric everywhere: relErr = max_i |a_i − r_i| / max(1, max_i |r_i|) (r the
 * reference; NaN must match NaN). Outputs are compared whole, padding included, so a write
 * outside the operand fails; outputs with β = 0 are prefilled with NaN, which must vanish.
 */
public abstract class BackendConformanceTest {
    /**
     * Elementwise and fused ops: the reference uses the same formulas; a device's exp / log /
     * tanh / log1p differ from Java's by a few ulps and FMA contraction changes the last bit.
     */
    static final double ELEMENTWISE_TOL = 1e-13;
    /** Sums, dot products, gemm/gemv: another summation order over at most ~10^4 terms of size ~1. */
    static final double REDUCTION_TOL = 1e-12;
    /** Eigen-decomposition of a 40×40 symmetric matrix of norm ~1: backward error ~ n·eps·‖A‖. */
    static final double EIGEN_TOL = 1e-10;

    protected Backend b;

    /** A fresh backend (each test closes it). */
    protected abstract Backend create();

    @BeforeEach
    void openBackend() {
        b = create();
    }

    @AfterEach
    void closeBackend() {
        if (b != null) {
            b.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    static double relErr(double[] ref, double[] actual) {
        assertEquals(ref.length, actual.length, "length");
        double scale = 1.0;
        double diff = 0.0;
        for (int i = 0; i < ref.length; i++) {
            boolean nr = Double.isNaN(ref[i]);
            if (nr || Double.isNaN(actual[i])) {
                if (nr != Double.isNaN(actual[i])) {
                    return Double.POSITIVE_INFINITY;
                }
                continue;
            }
            scale = Math.max(scale, Math.abs(ref[i]));
            diff = Math.max(diff, Math.abs(ref[i] - actual[i]));
        }
        return diff / scale;
    }

    static void assertClose(String what, double[] ref, double[] actual, double tol) {
        double e = relErr(ref, actual);
        if (!(e <= tol)) {
            int worst = 0;
            for (int i = 0; i < ref.length; i++) {
                if (!(Math.abs(ref[i] - actual[i]) <= Math.abs(ref[worst] - actual[worst]))) {
                    worst = i;
                }
            }
            fail(what + ": relErr " + e + " > " + tol + " (at " + worst + ": reference " + ref[worst]
                    + ", backend " + actual[worst] + ")");
        }
    }

    DArray put(double[] v) {
        DArray a = b.alloc(v.length);
        b.upload(v, 0, a, 0, v.length);
        return a;
    }

    double[] get(DArray a) {
        double[] v = new double[Math.toIntExact(a.length())];
        b.download(a, 0, v, 0, v.length);
        return v;
    }

    static double[] uniform(Random r, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * r.nextDouble();
        }
        return v;
    }

    static double[] nans(int n) {
        double[] v = new double[n];
        Arrays.fill(v, Double.NaN);
        return v;
    }

    static double[] prefill(Random r, int n, double beta) {
        return beta == 0.0 ? nans(n) : uniform(r, n, -1, 1);
    }

    // ---------------------------------------------------------------- memory

    @Test
    void allocIsZeroFilledAndTransfersRoundTripWithOffsets() {
        DArray a = b.alloc(10);
        assertArrayEquals(new double[10], get(a));
        b.upload(new double[] {9, 1, 2, 3}, 1, a, 4, 3);
        double[] out = new double[6];
        b.download(a, 3, out, 1, 4);
        assertArrayEquals(new double[] {0, 0, 1, 2, 3, 0}, out);
        IArray l = b.allocInt(5);
        int[] li = new int[5];
        b.downloadInt(l, 0, li, 0, 5);
        assertArrayEquals(new int[5], li);
        b.uploadInt(new int[] {7, 8, 9}, 1, l, 2, 2);
        int[] lo = new int[6];
        b.downloadInt(l, 0, lo, 1, 5);
        assertArrayEquals(new int[] {0, 0, 0, 8, 9, 0}, lo);
        b.synchronize();
        DArray empty = b.alloc(0);
        assertEquals(0, empty.length());
        assertEquals(b, a.backend());
        assertEquals(5, l.length());
    }

    @Test
    void allocationsAndLiveBytesAreCounted() {
        long a0 = b.allocations();
        long l0 = b.liveBytes();
        DArray x = b.alloc(100);
        IArray y = b.allocInt(10);
        assertEquals(a0 + 2, b.allocations());
        assertEquals(l0 + 800 + 40, b.liveBytes());
        x.close();
        x.close(); // twice is harmless
        assertEquals(l0 + 40, b.liveBytes());
        y.close();
        y.close();
        assertEquals(l0, b.liveBytes());
        assertEquals(a0 + 2, b.allocations(), "allocations counts allocations made, not live ones");
        // warm operations allocate nothing (workspaces are internal)
        DArray v = put(uniform(new Random(1), 5000, -1, 1));
        DArray s = b.alloc(2);
        b.sums(2500, 2, 1.0, v, 0, 0.0, s, 0);
        b.columnSums(50, 50, 2, 1.0, v, 0, 0.0, b.alloc(100), 0);
        long warm = b.allocations();
        b.sums(2500, 2, 1.0, v, 0, 0.0, s, 0);
        b.dot(5000, v, 0, v, 0);
        assertEquals(warm, b.allocations());
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseThrows() {
        DArray x = b.alloc(4);
        DArray y = b.alloc(4);
        y.close();
        assertThrows(IllegalStateException.class, () -> b.copy(4, x, 0, y, 0), "closed array");
        b.close();
        assertDoesNotThrow(() -> b.close());
        assertThrows(IllegalStateException.class, () -> b.alloc(1));
        assertThrows(IllegalStateException.class, () -> b.fill(4, 1.0, x, 0));
        assertThrows(IllegalStateException.class, () -> b.dot(4, x, 0, x, 0));
        assertThrows(IllegalStateException.class, () -> b.synchronize());
        assertDoesNotThrow(x::close);
        b = null;
    }

    // ---------------------------------------------------------------- BLAS-1

    @Test
    void blas1WithOffsets() {
        Random r = new Random(2);
        int n = 1000;
        double[] xv = uniform(r, n + 3, -1, 1);
        double[] yv = uniform(r, n + 5, -1, 1);
        DArray x = put(xv);
        DArray y = put(yv);

        DArray c = put(nans(n + 4));
        b.copy(n, x, 3, c, 2);
        double[] ref = nans(n + 4);
        System.arraycopy(xv, 3, ref, 2, n);
        assertClose("copy", ref, get(c), 0);

        DArray f = put(uniform(r, n + 2, -1, 1));
        double[] fref = get(f);
        b.fill(n, 2.5, f, 1);
        Arrays.fill(fref, 1, n + 1, 2.5);
        assertClose("fill", fref, get(f), 0);
        b.fill(n, 0.0, f, 1);
        Arrays.fill(fref, 1, n + 1, 0.0);
        assertClose("fill 0", fref, get(f), 0);

        DArray s = put(yv);
        b.scal(n, -1.5, s, 5);
        double[] sref = yv.clone();
        for (int i = 0; i < n; i++) {
            sref[5 + i] *= -1.5;
        }
        assertClose("scal", sref, get(s), ELEMENTWISE_TOL);

        DArray ax = put(yv);
        b.axpy(n, 0.75, x, 3, ax, 5);
        double[] axref = yv.clone();
        for (int i = 0; i < n; i++) {
            axref[5 + i] += 0.75 * xv[3 + i];
        }
        assertClose("axpy", axref, get(ax), ELEMENTWISE_TOL);

        for (double beta : new double[] {0.0, -0.3}) {
            double[] pv = prefill(r, n + 5, beta);
            DArray bb = put(pv);
            b.axpby(n, 1.25, x, 3, beta, bb, 5);
            double[] bref = pv.clone();
            for (int i = 0; i < n; i++) {
                bref[5 + i] = 1.25 * xv[3 + i] + (beta == 0.0 ? 0.0 : beta * pv[5 + i]);
            }
            assertClose("axpby beta=" + beta, bref, get(bb), ELEMENTWISE_TOL);
        }

        double dref = 0;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            dref += xv[3 + i] * yv[5 + i];
            sq += xv[3 + i] * xv[3 + i];
        }
        assertClose("dot", new double[] {dref}, new double[] {b.dot(n, x, 3, y, 5)}, REDUCTION_TOL);
        assertClose("nrm2", new double[] {Math.sqrt(sq)}, new double[] {b.nrm2(n, x, 3)}, REDUCTION_TOL);
        assertEquals(0.0, b.dot(0, x, 0, y, 0));
        assertEquals(0.0, b.nrm2(0, x, 0));
        // overflow-safe: squares of 1e200 overflow, the norm does not
        DArray big = put(new double[] {3e200, 4e200});
        assertEquals(5e200, b.nrm2(2, big, 0), 5e200 * 1e-15);
    }

    // ---------------------------------------------------------------- BLAS-2/3

    /** Plain row-major reference: C = α·op(A)·op(B) + β·C. */
    static void gemmRef(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, int ao, int lda,
                        double[] bm, int bo, int ldb, double beta, double[] c, int co, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[ao + p * lda + i] : a[ao + i * lda + p];
                    double bv = tb ? bm[bo + j * ldb + p] : bm[bo + p * ldb + j];
                    s += av * bv;
                }
                int ci = co + i * ldc + j;
                c[ci] = alpha * s + (beta == 0.0 ? 0.0 : beta * c[ci]);
            }
        }
    }

    @Test
    void gemmAllTransposesOffsetsAndLeadingDimensions() {
        Random r = new Random(3);
        int m = 7;
        int n = 5;
        int k = 9;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (double beta : new double[] {0.0, 0.5}) {
                    int lda = (ta ? m : k) + 2;
                    int ldb = (tb ? k : n) + 3;
                    int ldc = n + 1;
                    double[] av = uniform(r, 2 + (ta ? k : m) * lda, -1, 1);
                    double[] bv = uniform(r, 3 + (tb ? n : k) * ldb, -1, 1);
                    double[] cv = prefill(r, 4 + m * ldc, beta);
                    // padding columns of C (j >= n) must keep their values: make them finite
                    for (int i = 0; i < m; i++) {
                        cv[4 + i * ldc + n] = 42.0;
                    }
                    DArray a = put(av);
                    DArray bm = put(bv);
                    DArray c = put(cv);
                    b.gemm(ta, tb, m, n, k, 1.5, a, 2, lda, bm, 3, ldb, beta, c, 4, ldc);
                    double[] ref = cv.clone();
                    gemmRef(ta, tb, m, n, k, 1.5, av, 2, lda, bv, 3, ldb, beta, ref, 4, ldc);
                    assertClose("gemm ta=" + ta + " tb=" + tb + " beta=" + beta, ref, get(c), REDUCTION_TOL);
                }
            }
        }
    }

    @Test
    void gemmWithEmptyInnerDimensionScalesC() {
        double[] cv = {1, 2, 3, 4, 5, 6};
        DArray c = put(cv);
        DArray dummy = b.alloc(1);
        b.gemm(false, false, 2, 2, 0, 1.0, dummy, 0, 1, dummy, 0, 2, 2.0, c, 0, 3);
        assertClose("k=0 beta=2", new double[] {2, 4, 3, 8, 10, 6}, get(c), 0);
        DArray c2 = put(nans(6));
        b.gemm(false, false, 2, 2, 0, 1.0, dummy, 0, 1, dummy, 0, 2, 0.0, c2, 0, 3);
        assertClose("k=0 beta=0", new double[] {0, 0, Double.NaN, 0, 0, Double.NaN}, get(c2), 0);
    }

    @Test
    void gemvBothWays() {
        Random r = new Random(4);
        int m = 6;
        int n = 11;
        int lda = n + 2;
        double[] av = uniform(r, 1 + m * lda, -1, 1);
        DArray a = put(av);
        for (boolean ta : new boolean[] {false, true}) {
            for (double beta : new double[] {0.0, -2.0}) {
                int xl = ta ? m : n;
                int yl = ta ? n : m;
                double[] xv = uniform(r, xl + 2, -1, 1);
                double[] yv = prefill(r, yl + 3, beta);
                DArray x = put(xv);
                DArray y = put(yv);
                b.gemv(ta, m, n, 0.7, a, 1, lda, x, 2, beta, y, 3);
                double[] ref = yv.clone();
                for (int i = 0; i < yl; i++) {
                    double s = 0;
                    for (int j = 0; j < xl; j++) {
                        s += (ta ? av[1 + j * lda + i] : av[1 + i * lda + j]) * xv[2 + j];
                    }
                    ref[3 + i] = 0.7 * s + (beta == 0.0 ? 0.0 : beta * yv[3 + i]);
                }
                assertClose("gemv ta=" + ta + " beta=" + beta, ref, get(y), REDUCTION_TOL);
            }
        }
    }

    // ---------------------------------------------------------------- elementwise

    static final int[] POWERS = {-3, -1, 0, 1, 2, 3, 6};

    static double[] domain(Random r, UnaryFn f, int p, int n) {
        if (f.positiveDomain()) {
            return uniform(r, n, 0.05, 5);
        }
        if (f == UnaryFn.POWI) {
            double[] v = uniform(r, n, 0.2, 1.8);
            for (int i = 0; i < n; i += 2) {
                v[i] = -v[i];
            }
            return v;
        }
        double[] v = uniform(r, n, -8, 8);
        v[0] = 0.0;
        v[1] = 35.0;
        v[2] = -35.0;
        return v;
    }

    @Test
    void unaryEveryFunction() {
        Random r = new Random(5);
        int n = 500;
        for (UnaryFn f : UnaryFn.values()) {
            for (int p : f == UnaryFn.POWI ? POWERS : new int[] {0}) {
                double[] xv = domain(r, f, p, n);
                DArray x = put(xv);
                DArray y = put(nans(n + 2));
                b.unary(f, p, n, x, 0, y, 1);
                double[] ref = nans(n + 2);
                for (int i = 0; i < n; i++) {
                    ref[1 + i] = f.f(xv[i], p);
                }
                assertClose("unary " + f + " p=" + p, ref, get(y), ELEMENTWISE_TOL);
            }
        }
    }

    @Test
    void unaryDerivativesEveryFunction() {
        Random r = new Random(6);
        int n = 400;
        for (UnaryFn f : UnaryFn.values()) {
            for (int p : f == UnaryFn.POWI ? POWERS : new int[] {0}) {
                double[] xv = domain(r, f, p, n);
                DArray x = put(xv);
                DArray y = put(nans(n));
                DArray d1 = put(nans(n + 1));
                DArray d2 = put(nans(n + 2));
                b.unaryDerivatives(f, p, n, x, 0, y, 0, d1, 1, d2, 2);
                double[] ry = new double[n];
                double[] r1 = nans(n + 1);
                double[] r2 = nans(n + 2);
                for (int i = 0; i < n; i++) {
                    ry[i] = f.f(xv[i], p);
                    r1[1 + i] = f.d1(xv[i], p);
                    r2[2 + i] = f.d2(xv[i], p);
                }
                String tag = f + " p=" + p;
                assertClose("f " + tag, ry, get(y), ELEMENTWISE_TOL);
                assertClose("f' " + tag, r1, get(d1), ELEMENTWISE_TOL);
                assertClose("f'' " + tag, r2, get(d2), ELEMENTWISE_TOL);
            }
        }
    }

    @Test
    void mulSharedAndMul2Shared() {
        Random r = new Random(7);
        int n = 123;
        int k = 3;
        for (double beta : new double[] {0.0, 0.8}) {
            double[] xv = uniform(r, n + 1, -2, 2);
            double[] yv = uniform(r, n * k + 2, -2, 2);
            double[] zv = prefill(r, n * k + 3, beta);
            DArray z = put(zv);
            b.mulShared(n, k, -1.5, put(xv), 1, put(yv), 2, beta, z, 3);
            double[] ref = zv.clone();
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < n; i++) {
                    int zi = 3 + j * n + i;
                    ref[zi] = -1.5 * xv[1 + i] * yv[2 + j * n + i] + (beta == 0.0 ? 0.0 : beta * zv[zi]);
                }
            }
            assertClose("mulShared beta=" + beta, ref, get(z), ELEMENTWISE_TOL);

            double[] av = uniform(r, n, -2, 2);
            double[] bv = uniform(r, n + 2, -2, 2);
            double[] xs = uniform(r, n * k + 1, -2, 2);
            double[] ys = uniform(r, n * k, -2, 2);
            double[] ws = prefill(r, n * k + 1, beta);
            DArray w = put(ws);
            b.mul2Shared(n, k, put(av), 0, put(xs), 1, put(bv), 2, put(ys), 0, beta, w, 1);
            double[] ref2 = ws.clone();
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < n; i++) {
                    int wi = 1 + j * n + i;
                    ref2[wi] = av[i] * xs[1 + j * n + i] + bv[2 + i] * ys[j * n + i]
                            + (beta == 0.0 ? 0.0 : beta * ws[wi]);
                }
            }
            assertClose("mul2Shared beta=" + beta, ref2, get(w), ELEMENTWISE_TOL);
        }
    }

    @Test
    void scaleByScalarEveryFlagCombination() {
        Random r = new Random(8);
        int n = 50;
        int k = 4;
        for (boolean sPer : new boolean[] {false, true}) {
            for (int xMode = 0; xMode < 3; xMode++) {
                for (double beta : new double[] {0.0, 1.5}) {
                    double[] sv = uniform(r, k + 2, -2, 2);
                    double[] xv = uniform(r, n * k + 1, -2, 2);
                    double[] yv = prefill(r, n * k + 2, beta);
                    DArray y = put(yv);
                    b.scaleByScalar(n, k, 0.5, put(sv), 2, sPer, xMode == 0 ? null : put(xv), 1, xMode == 2,
                            beta, y, 2);
                    double[] ref = yv.clone();
                    for (int j = 0; j < k; j++) {
                        double a = 0.5 * sv[2 + (sPer ? j : 0)];
                        for (int i = 0; i < n; i++) {
                            double x = xMode == 0 ? 1.0 : xv[1 + (xMode == 2 ? j * n : 0) + i];
                            int yi = 2 + j * n + i;
                            ref[yi] = a * x + (beta == 0.0 ? 0.0 : beta * yv[yi]);
                        }
                    }
                    assertClose("scaleByScalar sPerBlock=" + sPer + " xMode=" + xMode + " beta=" + beta,
                            ref, get(y), ELEMENTWISE_TOL);
                }
            }
        }
    }

    @Test
    void addRowVectorSharedAndPerBlock() {
        Random r = new Random(9);
        int rows = 9;
        int cols = 7;
        int k = 2;
        for (boolean per : new boolean[] {false, true}) {
            double[] bv = uniform(r, cols * k + 1, -2, 2);
            double[] zv = uniform(r, rows * cols * k + 2, -2, 2);
            DArray z = put(zv);
            b.addRowVector(rows, cols, k, 2.0, put(bv), 1, per, z, 2);
            double[] ref = zv.clone();
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < rows; i++) {
                    for (int c = 0; c < cols; c++) {
                        ref[2 + j * rows * cols + i * cols + c] += 2.0 * bv[1 + (per ? j * cols : 0) + c];
                    }
                }
            }
            assertClose("addRowVector per=" + per, ref, get(z), ELEMENTWISE_TOL);
        }
    }

    @Test
    void biasUnaryEveryFunctionWithAndWithoutDerivatives() {
        Random r = new Random(21);
        int rows = 37;
        int cols = 11;
        int n = rows * cols;
        for (UnaryFn f : UnaryFn.values()) {
            for (int p : f == UnaryFn.POWI ? POWERS : new int[] {0}) {
                String tag = f + " p=" + p;
                double[] bv = uniform(r, cols + 1, -0.01, 0.01);
                // z + b inside the function's domain: the domain shifted by -b
                double[] zv = new double[n + 2];
                double[] dom = domain(r, f, p, n);
                for (int i = 0; i < n; i++) {
                    zv[2 + i] = dom[i] - bv[1 + i % cols];
                }
                double[] rz = zv.clone();
                double[] ry = nans(n + 1);
                double[] r1 = nans(n);
                double[] r2 = nans(n + 3);
                for (int i = 0; i < n; i++) {
                    double v = zv[2 + i] + bv[1 + i % cols];
                    rz[2 + i] = v;
                    ry[1 + i] = f.f(v, p);
                    r1[i] = f.d1(v, p);
                    r2[3 + i] = f.d2(v, p);
                }
                DArray bias = put(bv);
                DArray z = put(zv);
                DArray y = put(nans(n + 1));
                DArray d1 = put(nans(n));
                DArray d2 = put(nans(n + 3));
                b.biasUnary(f, p, rows, cols, bias, 1, z, 2, y, 1, d1, 0, d2, 3);
                assertClose("biasUnary z + b " + tag, rz, get(z), ELEMENTWISE_TOL);
                assertClose("biasUnary f " + tag, ry, get(y), ELEMENTWISE_TOL);
                assertClose("biasUnary f' " + tag, r1, get(d1), ELEMENTWISE_TOL);
                assertClose("biasUnary f'' " + tag, r2, get(d2), ELEMENTWISE_TOL);

                DArray z2 = put(zv);
                DArray y2 = put(nans(n + 1));
                b.biasUnary(f, p, rows, cols, bias, 1, z2, 2, y2, 1, null, 0, null, 0);
                assertClose("biasUnary (no derivatives) z + b " + tag, rz, get(z2), ELEMENTWISE_TOL);
                assertClose("biasUnary (no derivatives) f " + tag, ry, get(y2), ELEMENTWISE_TOL);
            }
        }
        DArray x = b.alloc(4);
        assertThrows(IllegalArgumentException.class,
                () -> b.biasUnary(UnaryFn.TANH, 0, 2, 2, x, 0, x, 0, x, 0, x, 0, null, 0), "d1 without d2");
    }

    @Test
    void biasMulSharedIsAddRowVectorThenMulShared() {
        Random r = new Random(22);
        int rows = 9;
        int cols = 7;
        int k = 3;
        int size = rows * cols;
        for (boolean per : new boolean[] {false, true}) {
            double[] bv = uniform(r, cols * k + 1, -2, 2);
            double[] zv = uniform(r, size * k + 2, -2, 2);
            double[] dv = uniform(r, size + 1, -2, 2);
            double[] rz = zv.clone();
            double[] ry = nans(size * k + 3);
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < size; i++) {
                    double v = zv[2 + j * size + i] + bv[1 + (per ? j * cols : 0) + i % cols];
                    rz[2 + j * size + i] = v;
                    ry[3 + j * size + i] = dv[1 + i] * v;
                }
            }
            DArray z = put(zv);
            DArray y = put(nans(size * k + 3));
            b.biasMulShared(rows, cols, k, put(bv), 1, per, z, 2, put(dv), 1, y, 3);
            assertClose("biasMulShared z per=" + per, rz, get(z), ELEMENTWISE_TOL);
            assertClose("biasMulShared y per=" + per, ry, get(y), ELEMENTWISE_TOL);
        }
    }

    // ---------------------------------------------------------------- planning

    @Test
    void ensureFitsAcceptsWhatFitsAndNamesWhatDoesNot() {
        assertDoesNotThrow(() -> b.ensureFits(1L << 20, "one MiB"));
        if (b.name().equals("cpu")) {
            assertDoesNotThrow(() -> b.ensureFits(Long.MAX_VALUE / 4, "anything"), "the CPU leaves it to the OS");
        } else {
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> b.ensureFits(Long.MAX_VALUE / 4, "an impossible plan"));
            assertTrue(e.getMessage().contains("an impossible plan") && e.getMessage().contains("--backend cpu"),
                    e.getMessage());
        }
    }

    @Test
    void recordedWorkReplaysOnTheSameBuffersWithTheirCurrentContents() {
        Random r = new Random(23);
        int n = 3000;
        double[] xv = uniform(r, n, -1, 1);
        DArray x = put(xv);
        DArray y = put(nans(n));
        DArray s = put(nans(1));
        // kernels, cuBLAS, a reduction with a workspace, a memset: what an HVP pass queues
        Runnable work = () -> {
            b.fill(n, 0.0, y, 0);
            b.axpy(n, 2.0, x, 0, y, 0);
            b.unary(UnaryFn.TANH, 0, n, y, 0, y, 0);
            b.sums(n, 1, 1.0, y, 0, 0.0, s, 0);
        };
        Backend.Replay rep = b.record(work);
        if (rep == null) {
            // not supported here (the CPU): nothing was executed
            assertTrue(Double.isNaN(get(s)[0]), "record returned null but ran the work");
            return;
        }
        try {
            assertTrue(Double.isNaN(get(s)[0]), "recording must not execute the work");
            for (int round = 0; round < 2; round++) {
                double[] cur = uniform(r, n, -1, 1);
                b.upload(cur, 0, x, 0, n);
                rep.launch();
                double sum = 0;
                double[] ref = new double[n];
                for (int i = 0; i < n; i++) {
                    ref[i] = Math.tanh(2.0 * cur[i]);
                    sum += ref[i];
                }
                assertClose("replayed y, round " + round, ref, get(y), ELEMENTWISE_TOL);
                assertClose("replayed sum, round " + round, new double[] {sum}, get(s), REDUCTION_TOL);
            }
            // a larger reduction grows the workspace; the replay must still be correct
            DArray big = put(uniform(r, 1 << 20, -1, 1));
            b.sums(1 << 20, 1, 1.0, big, 0, 0.0, s, 0);
            rep.launch();
            double[] cur = get(x);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Math.tanh(2.0 * cur[i]);
            }
            assertClose("replay after workspace growth", new double[] {sum}, get(s), REDUCTION_TOL);
        } finally {
            rep.close();
            rep.close();
        }
        assertThrows(IllegalStateException.class, rep::launch, "replay used after close");
    }

    // ---------------------------------------------------------------- reductions

    @Test
    void columnSumsAndSums() {
        Random r = new Random(10);
        for (int rows : new int[] {0, 1, 40, 700}) {
            int cols = 13;
            int k = 3;
            for (double beta : new double[] {0.0, 0.25}) {
                double[] xv = uniform(r, rows * cols * k + 1, -1, 1);
                double[] yv = prefill(r, cols * k + 2, beta);
                DArray y = put(yv);
                b.columnSums(rows, cols, k, -0.5, put(xv), 1, beta, y, 2);
                double[] ref = yv.clone();
                for (int j = 0; j < k; j++) {
                    for (int c = 0; c < cols; c++) {
                        double s = 0;
                        for (int i = 0; i < rows; i++) {
                            s += xv[1 + j * rows * cols + i * cols + c];
                        }
                        int yi = 2 + j * cols + c;
                        ref[yi] = -0.5 * s + (beta == 0.0 ? 0.0 : beta * yv[yi]);
                    }
                }
                assertClose("columnSums rows=" + rows + " beta=" + beta, ref, get(y), REDUCTION_TOL);
            }
        }
        for (int n : new int[] {0, 1, 3000}) {
            int k = 2;
            for (double beta : new double[] {0.0, 3.0}) {
                double[] xv = uniform(r, n * k + 1, -1, 1);
                double[] yv = prefill(r, k + 1, beta);
                DArray y = put(yv);
                b.sums(n, k, 2.0, put(xv), 1, beta, y, 1);
                double[] ref = yv.clone();
                for (int j = 0; j < k; j++) {
                    double s = 0;
                    for (int i = 0; i < n; i++) {
                        s += xv[1 + j * n + i];
                    }
                    ref[1 + j] = 2.0 * s + (beta == 0.0 ? 0.0 : beta * yv[1 + j]);
                }
                assertClose("sums n=" + n + " beta=" + beta, ref, get(y), REDUCTION_TOL);
            }
        }
    }

    // ---------------------------------------------------------------- softmax

    @Test
    void softmaxCrossEntropyIsStableAndMatchesTheDefinition() {
        Random r = new Random(11);
        int rows = 300;
        int cols = 10;
        double[] zv = uniform(r, rows * cols + 1, -30, 30);
        zv[1] = 800; // exp(800) overflows: only a max-shifted form survives
        int[] lab = new int[rows + 1];
        for (int i = 0; i < lab.length; i++) {
            lab[i] = r.nextInt(cols);
        }
        IArray labels = b.allocInt(lab.length);
        b.uploadInt(lab, 0, labels, 0, lab.length);
        DArray p = put(nans(rows * cols + 2));
        DArray g = put(nans(rows * cols + 3));
        DArray loss = put(nans(2));
        b.softmaxCrossEntropy(rows, cols, put(zv), 1, labels, p, 2, g, 3, loss, 1);
        double[] rp = nans(rows * cols + 2);
        double[] rg = nans(rows * cols + 3);
        double total = 0;
        for (int i = 0; i < rows; i++) {
            double mx = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                mx = Math.max(mx, zv[1 + i * cols + c]);
            }
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += Math.exp(zv[1 + i * cols + c] - mx);
            }
            for (int c = 0; c < cols; c++) {
                double q = Math.exp(zv[1 + i * cols + c] - mx) / s;
                rp[2 + i * cols + c] = q;
                rg[3 + i * cols + c] = q - (c == lab[i] ? 1 : 0);
            }
            total += mx + Math.log(s) - zv[1 + i * cols + lab[i]];
        }
        assertClose("P", rp, get(p), ELEMENTWISE_TOL);
        assertClose("G", rg, get(g), ELEMENTWISE_TOL);
        assertClose("loss", new double[] {Double.NaN, total / rows}, get(loss), REDUCTION_TOL);
        assertTrue(Double.isFinite(get(loss)[1]));
    }

    @Test
    void softmaxCrossEntropyRejectsABadLabel() {
        IArray labels = b.allocInt(3);
        b.uploadInt(new int[] {0, 2, 5}, 0, labels, 0, 3);
        DArray z = b.alloc(12);
        DArray p = b.alloc(12);
        DArray g = b.alloc(12);
        DArray loss = b.alloc(1);
        assertThrows(IllegalArgumentException.class,
                () -> b.softmaxCrossEntropy(3, 4, z, 0, labels, p, 0, g, 0, loss, 0));
        b.uploadInt(new int[] {-1}, 0, labels, 0, 1);
        assertThrows(IllegalArgumentException.class,
                () -> b.softmaxCrossEntropy(2, 4, z, 0, labels, p, 0, g, 0, loss, 0));
        b.uploadInt(new int[] {3}, 0, labels, 0, 1);
        assertDoesNotThrow(() -> b.softmaxCrossEntropy(2, 4, z, 0, labels, p, 0, g, 0, loss, 0));
        assertEquals(Math.log(4), get(loss)[0], 1e-15, "uniform logits");
    }

    @Test
    void softmaxCeTvjpMatchesTheDefinition() {
        Random r = new Random(13);
        int rows = 20;
        int cols = 6;
        int k = 3;
        int size = rows * cols;
        for (double beta : new double[] {0.0, -1.0}) {
            double[] pv = uniform(r, size + 1, 0, 1);
            double[] gv = uniform(r, size + 2, -1, 1);
            double[] dzv = uniform(r, size * k + 2, -1, 1);
            double[] lv = uniform(r, k + 2, -2, 2);
            double[] ov = prefill(r, size * k + 3, beta);
            DArray out = put(ov);
            b.softmaxCeTvjp(rows, cols, k, 0.9, put(pv), 1, put(gv), 2, put(dzv), 2, put(lv), 0, put(lv), 1, beta,
                    out, 3);
            double[] ref = ov.clone();
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < rows; i++) {
                    double s = 0;
                    for (int c = 0; c < cols; c++) {
                        s += pv[1 + i * cols + c] * dzv[2 + j * size + i * cols + c];
                    }
                    for (int c = 0; c < cols; c++) {
                        int o = 3 + j * size + i * cols + c;
                        double pd = pv[1 + i * cols + c] * (dzv[2 + j * size + i * cols + c] - s);
                        ref[o] = (beta == 0.0 ? 0.0 : beta * ov[o]) + 0.9 * lv[1 + j] * gv[2 + i * cols + c]
                                + 0.9 * lv[0] * pd;
                    }
                }
            }
            assertClose("softmaxCeTvjp beta=" + beta, ref, get(out), ELEMENTWISE_TOL);
        }
    }

    // ---------------------------------------------------------------- extension primitives

    @Test
    void transposeMatchesTheDefinition() {
        Random r = new Random(13);
        int rows = 7;
        int cols = 5;
        int k = 3;
        for (double beta : new double[] {0.0, -0.5}) {
            double[] xv = uniform(r, rows * cols * k + 1, -1, 1);
            double[] yv = prefill(r, rows * cols * k + 2, beta);
            DArray y = put(yv);
            b.transpose(rows, cols, k, 1.5, put(xv), 1, beta, y, 2);
            double[] ref = yv.clone();
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < rows; i++) {
                    for (int c = 0; c < cols; c++) {
                        int o = 2 + j * rows * cols + c * rows + i;
                        double v = 1.5 * xv[1 + j * rows * cols + i * cols + c];
                        ref[o] = beta == 0.0 ? v : beta * yv[o] + v;
                    }
                }
            }
            assertClose("transpose beta=" + beta, ref, get(y), ELEMENTWISE_TOL);
        }
    }

    @Test
    void maxSelectsAndPropagatesNan() {
        double[] av = {1.0, -2.0, 3.0, Double.NaN, 0.5, 0.0};
        double[] bv = {0.5, 4.0, 3.0, 1.0, Double.NaN, -0.0};
        DArray y = put(new double[6]);
        DArray m = put(new double[6]);
        b.max(6, put(av), 0, put(bv), 0, y, 0, m, 0);
        double[] gy = get(y);
        double[] gm = get(m);
        assertArrayEquals(new double[] {1.0, 4.0, 3.0, Double.NaN, Double.NaN, 0.0}, gy);
        assertArrayEquals(new double[] {1.0, 0.0, 1.0, 1.0, 0.0, 1.0}, gm);
    }

    // ---------------------------------------------------------------- dense symmetric linear algebra

    /** Q (n×n, row-major) orthogonal: modified Gram-Schmidt on a Gaussian matrix. */
    static double[] orthogonal(Random r, int n) {
        double[] q = new double[n * n];
        for (int i = 0; i < n * n; i++) {
            q[i] = r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double d = 0;
                for (int c = 0; c < n; c++) {
                    d += q[i * n + c] * q[j * n + c];
                }
                for (int c = 0; c < n; c++) {
                    q[i * n + c] -= d * q[j * n + c];
                }
            }
            double nr = 0;
            for (int c = 0; c < n; c++) {
                nr += q[i * n + c] * q[i * n + c];
            }
            nr = Math.sqrt(nr);
            for (int c = 0; c < n; c++) {
                q[i * n + c] /= nr;
            }
        }
        return q;
    }

    /** A = Qᵀ·diag(λ)·Q, symmetrized exactly. */
    static double[] withSpectrum(Random r, double[] lambda) {
        int n = lambda.length;
        double[] q = orthogonal(r, n);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int t = 0; t < n; t++) {
                    s += q[t * n + i] * lambda[t] * q[t * n + j];
                }
                a[i * n + j] = s;
                a[j * n + i] = s;
            }
        }
        return a;
    }

    @Test
    void syevdReconstructsAWithAscendingEigenvalues() {
        Random r = new Random(13);
        int n = 40;
        double[] lambda = uniform(r, n, -2, 2);
        double[] av = withSpectrum(r, lambda);
        double[] padded = new double[n * n + 3];
        System.arraycopy(av, 0, padded, 3, n * n);
        DArray a = put(padded);
        DArray w = put(nans(n + 1));
        LinalgStatus st = b.syevd(n, a, 3, w, 1, true);
        assertTrue(st.ok(), st.toString());
        double[] wv = Arrays.copyOfRange(get(w), 1, n + 1);
        double[] v = Arrays.copyOfRange(get(a), 3, 3 + n * n);
        double[] sorted = lambda.clone();
        Arrays.sort(sorted);
        assertClose("eigenvalues", sorted, wv, EIGEN_TOL);
        for (int i = 1; i < n; i++) {
            assertTrue(wv[i - 1] <= wv[i], "ascending");
        }
        // A = Vᵀ·Λ·V with the eigenvectors as rows of V; and V·Vᵀ = I
        double[] rec = new double[n * n];
        double[] gram = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double g = 0;
                for (int t = 0; t < n; t++) {
                    s += v[t * n + i] * wv[t] * v[t * n + j];
                    g += v[i * n + t] * v[j * n + t];
                }
                rec[i * n + j] = s;
                gram[i * n + j] = g - (i == j ? 1 : 0);
            }
        }
        assertClose("A = V'LV", av, rec, EIGEN_TOL);
        assertClose("VV' = I", new double[n * n], gram, EIGEN_TOL);
        // without vectors: the same eigenvalues
        DArray a2 = put(av);
        DArray w2 = b.alloc(n);
        assertTrue(b.syevd(n, a2, 0, w2, 0, false).ok());
        assertClose("eigenvalues only", sorted, get(w2), EIGEN_TOL);
        assertTrue(b.syevd(0, a2, 0, w2, 0, true).ok());
    }

    /** Counts of eigenvalues below -tol, within ±tol, above tol, from the backend's syevd. */
    int[] signCounts(double[] av, int n, double tol) {
        DArray a = put(av);
        DArray w = b.alloc(n);
        assertTrue(b.syevd(n, a, 0, w, 0, false).ok());
        int[] c = new int[3];
        for (double x : get(w)) {
            c[x < -tol ? 0 : x > tol ? 2 : 1]++;
        }
        return c;
    }

    Inertia inertiaOf(double[] av, int n, int off) {
        double[] padded = new double[n * n + off];
        System.arraycopy(av, 0, padded, off, n * n);
        return b.inertia(n, put(padded), off);
    }

    @Test
    void inertiaMatchesEigenvalueSignsOnIndefiniteMatrices() {
        Random r = new Random(14);
        for (int trial = 0; trial < 5; trial++) {
            int n = 10 + 7 * trial;
            double[] lambda = new double[n];
            int neg = 0;
            for (int i = 0; i < n; i++) {
                // |λ| >= 0.1: signs are unambiguous in floating point
                lambda[i] = (r.nextBoolean() ? 1 : -1) * (0.1 + 2 * r.nextDouble());
                neg += lambda[i] < 0 ? 1 : 0;
            }
            double[] av = withSpectrum(r, lambda);
            Inertia in = inertiaOf(av, n, trial);
            assertTrue(in.status().ok(), in.status().toString());
            assertEquals(neg, in.negative(), "negative, n=" + n);
            assertEquals(0, in.zero());
            assertEquals(n - neg, in.positive());
            int[] sc = signCounts(av, n, 1e-8);
            assertArrayEquals(sc, new int[] {in.negative(), in.zero(), in.positive()}, "syevd signs");
        }
        assertEquals(new Inertia(0, 0, 0, in0().status()).n(), 0);
    }

    private Inertia in0() {
        return b.inertia(0, b.alloc(1), 0);
    }

    @Test
    void inertiaCountsExactZerosOfSingularMatrices() {
        Random r = new Random(15);
        int m = 12;
        double[] lambda = new double[m];
        for (int i = 0; i < m; i++) {
            lambda[i] = i % 3 == 0 ? -(0.5 + r.nextDouble()) : 0.5 + r.nextDouble();
        }
        double[] inner = withSpectrum(r, lambda);
        // embed into n = m + 3 with three zero rows/columns at scattered positions: exactly
        // singular (the zero rows stay zero through the elimination)
        int n = m + 3;
        int[] zeroAt = {0, 7, n - 1};
        int[] map = new int[n];
        for (int i = 0, k = 0; i < n; i++) {
            final int ii = i;
            map[i] = Arrays.stream(zeroAt).anyMatch(z -> z == ii) ? -1 : k++;
        }
        double[] av = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (map[i] >= 0 && map[j] >= 0) {
                    av[i * n + j] = inner[map[i] * m + map[j]];
                }
            }
        }
        Inertia in = inertiaOf(av, n, 1);
        assertEquals(4, in.negative());
        assertEquals(3, in.zero());
        assertEquals(8, in.positive());
        assertEquals(n, in.n());
        // the zero matrix and a negative definite one
        Inertia z = inertiaOf(new double[9], 3, 0);
        assertEquals(new int[] {0, 3, 0}[1], z.zero());
        double[] nd = withSpectrum(r, new double[] {-1, -2, -3, -4});
        assertEquals(4, inertiaOf(nd, 4, 0).negative());
    }

    @Test
    void inertiaOfA2x2PivotMatrix() {
        // [[0, 1], [1, 0]] forces a 2x2 Bunch-Kaufman block: eigenvalues -1, 1
        Inertia in = inertiaOf(new double[] {0, 1, 1, 0}, 2, 0);
        assertEquals(1, in.negative());
        assertEquals(0, in.zero());
        assertEquals(1, in.positive());
    }
}
