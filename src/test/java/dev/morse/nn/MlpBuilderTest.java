package dev.morse.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Plan;
import dev.morse.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/** The builder names the model once (no silent activation or loss); program(...) traces that loss; init's bias option. */
class MlpBuilderTest {
    @Test
    void activationAndLossAreRequired() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mlp.builder().widths(3, 2).loss(Loss.MSE).build());
        assertTrue(e.getMessage().contains("activation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Mlp.builder().widths(3, 2).activation(Activation.TANH).build());
        assertTrue(e.getMessage().contains("loss"), e.getMessage());
    }

    @Test
    void programTracesTheBuiltLossAndRefusesTheOtherTargets() {
        double[] x = {0.5, -1, 2, 0.25, 1, -0.5};
        Mlp ce = Mlp.builder().widths(3, 4, 2).activation(Activation.TANH).loss(Loss.CROSS_ENTROPY).build();
        Mlp mse = Mlp.builder().widths(3, 4, 2).activation(Activation.TANH).loss(Loss.MSE).build();
        int[] labels = {1, 0};
        double[] y = {0.1, 0.2, 0.3, 0.4};
        double[] th = ce.init(3, 0.1);
        try (CpuBackend cpu = new CpuBackend();
             Plan a = Plan.compile(ce.program(x, 2, labels), cpu);
             Plan b = Plan.compile(ce.crossEntropy(x, 2, labels), cpu);
             Plan c = Plan.compile(mse.program(x, 2, y), cpu);
             Plan d = Plan.compile(mse.mse(x, 2, y), cpu)) {
            assertEquals(b.value(th), a.value(th), 0.0);
            assertEquals(d.value(th), c.value(th), 0.0);
        }
        assertThrows(IllegalArgumentException.class, () -> ce.program(x, 2, y));
        assertThrows(IllegalArgumentException.class, () -> mse.program(x, 2, labels));
    }

    @Test
    void initWithBiasesKeepsTheWeightsAndDrawsTheBiases() {
        Mlp m = Mlp.builder().widths(5, 4, 3).activation(Activation.SWISH).loss(Loss.MSE).build();
        double[] zero = m.init(7);
        assertArrayEquals(zero, m.init(7, 0.0), 0.0);
        double[] b = m.init(7, 0.5);
        double sumSq = 0;
        int biases = 0;
        for (Mlp.Layer l : m.layers()) {
            for (int i = 0; i < l.fanIn() * l.fanOut(); i++) {
                assertEquals(zero[(int) l.weightOffset() + i], b[(int) l.weightOffset() + i], 0.0, "same weights");
            }
            for (int j = 0; j < l.fanOut(); j++) {
                assertEquals(0.0, zero[(int) l.biasOffset() + j], 0.0);
                double v = b[(int) l.biasOffset() + j];
                assertNotEquals(0.0, v);
                sumSq += v * v;
                biases++;
            }
        }
        assertEquals(7, biases);
        // 7 draws of N(0, 0.25): by chi-square with 7 degrees of freedom the mean square lies in
        // (0.25/10, 0.25·4) except with probability < 0.001
        double ms = sumSq / biases;
        assertTrue(ms > 0.25 / 10 && ms < 0.25 * 4, "mean square " + ms);
        assertArrayEquals(b, m.init(7, 0.5), 0.0);
        assertThrows(IllegalArgumentException.class, () -> m.init(1, -1));
    }
}
