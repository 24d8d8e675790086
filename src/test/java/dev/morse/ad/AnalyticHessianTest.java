package dev.morse.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.problems.DeepLinearAutoencoder;
import dev.morse.problems.Quartic;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hessians against closed forms: least squares, the quartic, the deep linear autoencoder. */
class AnalyticHessianTest {
    /** The engine and a closed form computed in a different order agree to rounding of O(n) sums. */
    private static final double TOL = 1e-12;
    private static Backend cpu;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend();
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    @Test
    void linearLeastSquaresHessianIsTwoXtXOverN() {
        Random r = new Random(3);
        int n = 50;
        int d = 6;
        double[] x = GradCheck.gaussian(r, n * d, 1.0);
        double[] y = GradCheck.gaussian(r, n, 1.0);
        Tracer t = new Tracer(d);
        Program p = t.program(t.data("X", x, n, d).matmul(t.param(0, d, 1)).mse(t.data("y", y, n, 1)));
        try (Plan plan = Plan.compile(p, cpu)) {
            double[] h = GradCheck.hessian(plan, GradCheck.gaussian(r, d, 1.0));
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    for (int e = 0; e < n; e++) {
                        s += x[e * d + i] * x[e * d + j];
                    }
                    GradCheck.close(2 * s / n, h[i * d + j], TOL, 1e-12, "H[" + i + "," + j + "]");
                }
            }
        }
    }

    @Test
    void quarticGradientAndHessianAreClosedForm() {
        try (Plan plan = Plan.compile(Quartic.program(), cpu)) {
            Random r = new Random(4);
            for (int trial = 0; trial < 20; trial++) {
                double x = 6 * r.nextDouble() - 3;
                double y = 4 * r.nextDouble() - 2;
                double[] th = {x, y};
                Linearization lin = plan.at(th);
                assertEquals(Quartic.value(x, y), lin.value(), 1e-12 * Math.abs(Quartic.value(x, y)));
                double[] g = GradCheck.download(cpu, lin.gradient(), 2);
                double[] ge = Quartic.gradient(x, y);
                GradCheck.closeVec(ge, g, TOL, 1e-12, "quartic gradient");
                double[] h = GradCheck.hessian(plan, th);
                double[] d = Quartic.hessianDiagonal(x, y);
                GradCheck.closeVec(new double[] {d[0], 0, 0, d[1]}, h, TOL, 1e-12, "quartic Hessian");
            }
            // the gradient-flat point: ‖g‖² = (9 − 4√2)², and g is in the kernel of H
            Linearization lin = plan.at(Quartic.FLAT_POINT);
            assertEquals(Math.pow(9 - 4 * Math.sqrt(2), 2), lin.gradNormSq(), 1e-12);
            double[] h = GradCheck.hessian(plan, Quartic.FLAT_POINT);
            assertEquals(0.0, h[0], 1e-14, "∂²f/∂x² vanishes at (√2, 0)");
        }
    }

    private static double[] gaussianData(int n, int p, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n * p];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                x[i * p + j] = Math.sqrt(j + 1.0) * r.nextGaussian();
            }
        }
        return x;
    }

    /** Hand-derived HVP of L = (1/m)‖E‖², E = X W1ᵀ W2ᵀ − X, m = n·p (see the derivation in the comments). */
    private static double[] dlaeHvp(double[] x, int n, int p, int k, double[] th, double[] v) {
        double m = (double) n * p;
        double[] w1 = new double[k * p];
        double[] w2 = new double[p * k];
        double[] v1 = new double[k * p];
        double[] v2 = new double[p * k];
        System.arraycopy(th, 0, w1, 0, k * p);
        System.arraycopy(th, k * p, w2, 0, p * k);
        System.arraycopy(v, 0, v1, 0, k * p);
        System.arraycopy(v, k * p, v2, 0, p * k);
        double[] hid = mul(x, n, p, tr(w1, k, p), k);          // H = X W1ᵀ        n×k
        double[] e = mul(hid, n, k, tr(w2, p, k), p);          // X W1ᵀ W2ᵀ       n×p
        for (int i = 0; i < e.length; i++) {
            e[i] -= x[i];                                       // E
        }
        double[] hd = mul(x, n, p, tr(v1, k, p), k);           // Ḣ = X V1ᵀ
        double[] ed = mul(hd, n, k, tr(w2, p, k), p);          // Ė = Ḣ W2ᵀ + H V2ᵀ
        double[] ed2 = mul(hid, n, k, tr(v2, p, k), p);
        for (int i = 0; i < ed.length; i++) {
            ed[i] += ed2[i];
        }
        // d/dW2: (2/m)(Ėᵀ H + Eᵀ Ḣ)   (p×k);   d/dW1: (2/m)(V2ᵀ Eᵀ X + W2ᵀ Ėᵀ X)   (k×p)
        double[] g2 = mul(tr(ed, n, p), p, n, hid, k);
        double[] g2b = mul(tr(e, n, p), p, n, hd, k);
        double[] etx = mul(tr(e, n, p), p, n, x, p);           // Eᵀ X   p×p
        double[] edtx = mul(tr(ed, n, p), p, n, x, p);         // Ėᵀ X   p×p
        double[] g1 = mul(tr(v2, p, k), k, p, etx, p);
        double[] g1b = mul(tr(w2, p, k), k, p, edtx, p);
        double[] out = new double[2 * k * p];
        for (int i = 0; i < k * p; i++) {
            out[i] = 2 / m * (g1[i] + g1b[i]);
            out[k * p + i] = 2 / m * (g2[i] + g2b[i]);
        }
        return out;
    }

    private static double[] tr(double[] a, int r, int c) {
        double[] o = new double[r * c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                o[j * r + i] = a[i * c + j];
            }
        }
        return o;
    }

    private static double[] mul(double[] a, int r, int c, double[] b, int cols) {
        double[] o = new double[r * cols];
        for (int i = 0; i < r; i++) {
            for (int q = 0; q < c; q++) {
                double av = a[i * c + q];
                for (int j = 0; j < cols; j++) {
                    o[i * cols + j] += av * b[q * cols + j];
                }
            }
        }
        return o;
    }

    @Test
    void deepLinearAutoencoderHessianMatchesHandDerivedFormula() {
        int n = 200;
        int p = 6;
        int k = 2;
        double[] x = gaussianData(n, p, 5);
        DeepLinearAutoencoder ae = new DeepLinearAutoencoder(x, n, p, k);
        Random r = new Random(6);
        try (Plan plan = Plan.compile(ae.programOnData(), cpu)) {
            int nn = ae.nParams();
            double[] zero = new double[nn];
            double[] th = GradCheck.gaussian(r, nn, 0.5);
            for (double[] at : new double[][] {zero, th}) {
                double[] h = GradCheck.hessian(plan, at);
                for (int j = 0; j < nn; j++) {
                    double[] ej = new double[nn];
                    ej[j] = 1;
                    double[] col = dlaeHvp(x, n, p, k, at, ej);
                    double[] row = java.util.Arrays.copyOfRange(h, j * nn, (j + 1) * nn);
                    GradCheck.closeVec(col, row, TOL, 1e-12, "DLAE Hessian column " + j);
                }
            }
            GradCheck.check(ae.programOnData(), cpu, th, 7);
            GradCheck.check(ae.program(), cpu, th, 8);
        }
    }

    @Test
    void deepLinearAutoencoderGramFormEqualsThePerExampleForm() {
        int n = 500;
        int p = 7;
        int k = 3;
        DeepLinearAutoencoder ae = new DeepLinearAutoencoder(gaussianData(n, p, 9), n, p, k);
        Random r = new Random(10);
        try (Plan gram = Plan.compile(ae.program(), cpu); Plan data = Plan.compile(ae.programOnData(), cpu)) {
            for (int trial = 0; trial < 3; trial++) {
                double[] th = GradCheck.gaussian(r, ae.nParams(), 0.7);
                Linearization a = gram.at(th);
                double va = a.value();
                double[] ga = a.gradientArray();
                Linearization b = data.at(th);
                GradCheck.close(b.value(), va, TOL, 1e-12, "loss");
                GradCheck.closeVec(b.gradientArray(), ga, TOL, 1e-12, "gradient");
                GradCheck.closeVec(GradCheck.hessian(data, th), GradCheck.hessian(gram, th), TOL, 1e-12, "Hessian");
            }
        }
    }

    @Test
    void deepLinearAutoencoderZeroPointLossIsTraceOverP() {
        int n = 10000;
        int p = 16;
        double[] x = gaussianData(n, p, 8);
        // exact mean-centering of each feature, as in E1
        for (int j = 0; j < p; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += x[i * p + j];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                x[i * p + j] -= mean;
            }
        }
        DeepLinearAutoencoder ae = new DeepLinearAutoencoder(x, n, p, 4);
        double[] c = ae.covariance();
        double trace = 0;
        for (int j = 0; j < p; j++) {
            trace += c[j * p + j];
        }
        try (Plan plan = Plan.compile(ae.programOnData(), cpu)) {
            Linearization lin = plan.at(new double[ae.nParams()]);
            assertEquals(trace / p, lin.value(), 1e-12 * trace);
            assertEquals(0.0, lin.gradNormSq(), 0.0, "the gradient at θ = 0 is exactly zero");
            // 136/16 = 8.5 for the population covariance diag(1..16); sampling error of n = 10⁴ is ~1%
            assertTrue(Math.abs(lin.value() - 8.5) < 0.2, "zero-point loss " + lin.value() + " ≈ 8.5");
            // analytic points: count Σ_{i≤4} C(16, i) = 2517 and squared gradients ≈ 0
            var pts = ae.analyticPoints();
            assertEquals(2517, pts.size());
            for (int i = 0; i < pts.size(); i += 97) {
                var pt = pts.get(i);
                Linearization l = plan.at(pt.theta());
                assertEquals(pt.loss(), l.value(), 1e-10 * trace, "analytic loss of class " + i);
                assertTrue(l.gradNormSq() < 1e-20, "‖g‖² = " + l.gradNormSq() + " at analytic class " + i);
            }
        }
    }
}
