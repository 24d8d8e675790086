package dev.morse.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.ad.Program;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The engine on the CPU against references that do not use it: the loss against a host
 * forward pass written here from the definitions (layers read from {@link Mlp#layers()}), the
 * gradient against central differences of that host loss, the dense Hessian against central
 * differences of the (so validated) gradient, hvpBlock against the dense Hessian times V, and
 * syevd / inertia against the identities Σλ = tr H, Σλ² = ‖H‖_F² and the sign count. (The
 * device backends are held to the CPU by {@link EngineConformanceTest}.)
 */
class CpuEngineTest {
    /** Central-difference step: truncation O(h²) ≈ 1e-10 relative, rounding O(ε/h) ≈ 1e-11. */
    private static final double H = 1e-5;
    /** Finite differences agree with exact derivatives to this, relative to the norm (both errors above, margin 100). */
    private static final double FD_TOL = 1e-7;
    /** Two orders of the same sums (host loops vs BLAS): rounding only. */
    private static final double EXACT_TOL = 1e-12;

    private static double swish(double z) {
        return z / (1 + Math.exp(-z));
    }

    /** The loss from the definitions: hidden activation act, linear output, mean CE or mean-over-entries MSE. */
    private static double hostLoss(Mlp mlp, boolean swish, double[] th, double[] x, int rows, int[] labels, double[] y) {
        double[] a = x;
        int width = mlp.inputs();
        for (int l = 0; l < mlp.layers().size(); l++) {
            Mlp.Layer ly = mlp.layers().get(l);
            double[] z = new double[rows * ly.fanOut()];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < ly.fanOut(); j++) {
                    double s = ly.hasBias() ? th[(int) ly.biasOffset() + j] : 0.0;
                    for (int i = 0; i < width; i++) {
                        s += a[r * width + i] * th[(int) ly.weightOffset() + i * ly.fanOut() + j];
                    }
                    boolean last = l == mlp.layers().size() - 1;
                    z[r * ly.fanOut() + j] = last ? s : (swish ? swish(s) : Math.tanh(s));
                }
            }
            a = z;
            width = ly.fanOut();
        }
        double loss = 0;
        if (labels != null) {
            for (int r = 0; r < rows; r++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < width; j++) {
                    m = Math.max(m, a[r * width + j]);
                }
                double se = 0;
                for (int j = 0; j < width; j++) {
                    se += Math.exp(a[r * width + j] - m);
                }
                loss += m + Math.log(se) - a[r * width + labels[r]];
            }
            return loss / rows;
        }
        for (int i = 0; i < a.length; i++) {
            loss += (a[i] - y[i]) * (a[i] - y[i]);
        }
        return loss / a.length;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double e : v) {
            s += e * e;
        }
        return Math.sqrt(s);
    }

    private static void closeVec(double[] ref, double[] got, double tol, String what) {
        double[] d = new double[ref.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = ref[i] - got[i];
        }
        assertTrue(norm(d) <= tol * norm(ref), what + ": ‖ref − got‖ = " + norm(d) + ", ‖ref‖ = " + norm(ref));
    }

    private static void check(Mlp mlp, boolean swish, int rows, long seed) {
        Random r = new Random(seed);
        double[] x = new double[rows * mlp.inputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        int[] labels = null;
        double[] y = null;
        Program p;
        if (mlp.loss() == Loss.CROSS_ENTROPY) {
            labels = new int[rows];
            for (int i = 0; i < rows; i++) {
                labels[i] = r.nextInt(mlp.outputs());
            }
            p = mlp.crossEntropy(x, rows, labels);
        } else {
            y = x.clone();
            p = mlp.mse(x, rows, y);
        }
        int n = mlp.nParams();
        double[] th = mlp.init(seed);
        for (int i = 0; i < n; i++) {
            th[i] += 0.1 * r.nextGaussian(); // nonzero biases too
        }
        try (CpuBackend cpu = new CpuBackend();
             Plan plan = Plan.compile(p, cpu, Plan.Options.defaults().withMaxBlock(7))) {
            Linearization lin = plan.at(th);
            double l0 = hostLoss(mlp, swish, th, x, rows, labels, y);
            assertEquals(l0, lin.value(), EXACT_TOL * Math.abs(l0), "loss against the host forward pass");

            double[] g = lin.gradientArray();
            double[] fd = new double[n];
            for (int i = 0; i < n; i++) {
                double[] tp = th.clone();
                double[] tm = th.clone();
                tp[i] += H;
                tm[i] -= H;
                fd[i] = (hostLoss(mlp, swish, tp, x, rows, labels, y) - hostLoss(mlp, swish, tm, x, rows, labels, y))
                        / (2 * H);
            }
            closeVec(fd, g, FD_TOL, "gradient against central differences of the host loss");

            double[] hess = new double[n * n];
            try (DArray hd = cpu.alloc((long) n * n)) {
                plan.at(th).hessian(hd, 0);
                cpu.download(hd, 0, hess, 0, n * n);
            }
            double[] fdh = new double[n * n];
            for (int i = 0; i < n; i++) {
                double[] tp = th.clone();
                double[] tm = th.clone();
                tp[i] += H;
                tm[i] -= H;
                double[] gp = plan.at(tp).gradientArray();
                double[] gm = plan.at(tm).gradientArray();
                for (int j = 0; j < n; j++) {
                    fdh[i * n + j] = (gp[j] - gm[j]) / (2 * H);
                }
            }
            closeVec(fdh, hess, FD_TOL, "Hessian against central differences of the gradient");
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    assertEquals(hess[i * n + j], hess[j * n + i], EXACT_TOL * norm(hess), "H symmetric");
                }
            }

            // hvpBlock for k = 10 (two passes at capacity 7) against H·V
            int k = 10;
            double[] v = new double[k * n];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextGaussian();
            }
            double[] hv = new double[k * n];
            double[] ref = new double[k * n];
            try (DArray dv = cpu.alloc((long) k * n); DArray out = cpu.alloc((long) k * n)) {
                cpu.upload(v, 0, dv, 0, k * n);
                plan.at(th).hvpBlock(k, dv, 0, out, 0);
                cpu.download(out, 0, hv, 0, k * n);
            }
            for (int b = 0; b < k; b++) {
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        s += hess[i * n + j] * v[b * n + j];
                    }
                    ref[b * n + i] = s;
                }
            }
            closeVec(ref, hv, 1e-11, "hvpBlock against H·V");

            // spectrum and inertia against identities of H itself
            double[] w = new double[n];
            try (DArray a = cpu.alloc((long) n * n); DArray wd = cpu.alloc(n)) {
                cpu.upload(hess, 0, a, 0, n * n);
                assertTrue(cpu.syevd(n, a, 0, wd, 0, false).ok());
                cpu.download(wd, 0, w, 0, n);
                cpu.upload(hess, 0, a, 0, n * n);
                Inertia in = cpu.inertia(n, a, 0);
                double trace = 0;
                double frob = 0;
                double sum = 0;
                double sumSq = 0;
                int neg = 0;
                for (int i = 0; i < n; i++) {
                    trace += hess[i * n + i];
                    sum += w[i];
                    sumSq += w[i] * w[i];
                    neg += w[i] < 0 ? 1 : 0;
                }
                for (double e : hess) {
                    frob += e * e;
                }
                assertEquals(trace, sum, 1e-10 * Math.sqrt(frob) * n, "Σλ = tr H");
                assertEquals(frob, sumSq, 1e-10 * frob, "Σλ² = ‖H‖_F²");
                assertEquals(neg, in.negative(), "inertia's negative count = eigenvalues below 0");
                assertTrue(neg > 0, "the test point is a saddle region, so the count is informative");
            }
        }
    }

    @Test
    void crossEntropyMlpAgainstTheHostReference() {
        check(Mlp.builder().widths(6, 5, 4).activation(Activation.SWISH).loss(Loss.CROSS_ENTROPY).build(), true, 30, 1);
    }

    @Test
    void mseAutoencoderWithoutBiasesAgainstTheHostReference() {
        check(Mlp.builder().widths(5, 3, 5).bias(false).activation(Activation.TANH).loss(Loss.MSE).build(), false, 25, 2);
    }
}
