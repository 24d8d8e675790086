package dev.morse.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.ad.Program;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whole networks of every activation and loss on the CPU backend (tiled, split, fused loops)
 * against the one-element-at-a-time {@link ScalarCpuBackend}: value, gradient, HVP and the
 * dense Hessian.
 */
class ScalarBackendNetworksTest {
    /** Both run the same formulas and the same BLAS; only fusion and tiling differ (bitwise so far: margin). */
    static final double TOL = 1e-13;

    private static double relErr(double[] ref, double[] got) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < ref.length; i++) {
            num += (ref[i] - got[i]) * (ref[i] - got[i]);
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-300);
    }

    private static double[][] compute(Backend b, Program p, double[] th, double[] v) {
        int n = p.nParams();
        try (Plan plan = Plan.compile(p, b); DArray h = b.alloc((long) n * n)) {
            Linearization lin = plan.at(th);
            double[] hess = new double[n * n];
            lin.hessian(h, 0);
            b.download(h, 0, hess, 0, n * n);
            return new double[][] {{lin.value()}, lin.gradientArray(), lin.hvp(v), hess};
        }
    }

    @Test
    void everyActivationAndLossMatchesTheScalarBackend() {
        Random r = new Random(21);
        int rows = 120;
        int k = 0;
        try (CpuBackend fast = new CpuBackend(); ScalarCpuBackend ref = new ScalarCpuBackend()) {
            for (Activation a : Activation.values()) {
                Loss loss = Loss.values()[k++ % Loss.values().length];
                Mlp mlp = Mlp.builder().widths(6, 7, 5, 3).activations(a, Activation.GELU)
                        .outputActivation(loss == Loss.MSE ? Activation.MISH : Activation.IDENTITY).loss(loss)
                        .reduction(k % 2 == 0 ? Loss.Reduction.SUM : Loss.Reduction.MEAN).l2(0.003).build();
                double[] x = new double[rows * 6];
                for (int i = 0; i < x.length; i++) {
                    x[i] = 2 * r.nextGaussian();
                }
                Program p;
                if (loss == Loss.CROSS_ENTROPY) {
                    int[] y = new int[rows];
                    for (int i = 0; i < rows; i++) {
                        y[i] = r.nextInt(3);
                    }
                    p = mlp.program(x, rows, y);
                } else {
                    double[] t = new double[rows * 3];
                    for (int i = 0; i < t.length; i++) {
                        t[i] = r.nextDouble();
                    }
                    p = mlp.program(x, rows, t);
                }
                double[] th = mlp.init(22, 0.4);
                double[] v = new double[mlp.nParams()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = r.nextGaussian();
                }
                double[][] want = compute(ref, p, th, v);
                double[][] got = compute(fast, p, th, v);
                String tag = mlp.toString();
                assertEquals(want[0][0], got[0][0], TOL * Math.abs(want[0][0]), tag + ": value");
                String[] what = {"value", "gradient", "hvp", "hessian"};
                for (int q = 1; q < 4; q++) {
                    double e = relErr(want[q], got[q]);
                    assertTrue(e <= TOL, tag + ": " + what[q] + " relative error " + e);
                }
            }
        }
    }
}
