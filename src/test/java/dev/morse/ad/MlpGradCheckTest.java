package dev.morse.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whole networks through GradCheck: every activation, both losses, biases on and off, l2. */
class MlpGradCheckTest {
    @Test
    void mlpsOfEveryKind() {
        try (Backend cpu = new CpuBackend()) {
            long seed = 100;
            for (Activation a : Activation.values()) {
                for (Loss loss : Loss.values()) {
                    Mlp mlp = Mlp.builder().widths(5, 4, 3, 3).bias(true, false, true).activation(a).loss(loss)
                            .l2(0.01).build();
                    Random r = new Random(seed++);
                    int n = 11;
                    double[] x = GradCheck.gaussian(r, n * 5, 1.0);
                    Program p;
                    if (loss == Loss.MSE) {
                        p = mlp.mse(x, n, GradCheck.gaussian(r, n * 3, 1.0));
                    } else {
                        int[] y = new int[n];
                        for (int i = 0; i < n; i++) {
                            y[i] = r.nextInt(3);
                        }
                        p = mlp.crossEntropy(x, n, y);
                    }
                    double[] th = mlp.init(seed);
                    for (int i = 0; i < th.length; i++) {
                        th[i] += 0.1 * r.nextGaussian(); // nonzero biases too
                    }
                    GradCheck.check(p, cpu, th, seed);
                }
            }
        }
    }

    @Test
    void parameterCountAndLayout() {
        Mlp m = Mlp.builder().widths(784, 64, 10).bias(true).activation(Activation.SWISH).loss(Loss.CROSS_ENTROPY).build();
        assertEquals(784 * 64 + 64 + 64 * 10 + 10, m.nParams());
        assertEquals(784L * 64, m.layers().get(0).biasOffset());
        Mlp e7 = Mlp.builder().widths(32, 32, 4, 2).bias(false).activation(Activation.SWISH).loss(Loss.CROSS_ENTROPY).build();
        assertEquals(1160, e7.nParams(), "E7's network has N = 1160");
        Mlp e5 = Mlp.builder().widths(16, 8, 16, 16).bias(true).activation(Activation.SWISH).loss(Loss.CROSS_ENTROPY).build();
        assertEquals(552, e5.nParams(), "E5's network has N = 552");
        Mlp e6 = Mlp.builder().widths(16, 12, 8, 10).bias(true).activation(Activation.SWISH).loss(Loss.CROSS_ENTROPY).build();
        assertEquals(398, e6.nParams(), "E6's network has N = 398");
    }
}
