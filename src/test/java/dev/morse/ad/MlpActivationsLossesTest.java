package dev.morse.ad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Per-layer and output activations, binary cross-entropy with logits and the sum reduction:
 * GradCheck to second order on every combination, and the values against a plain-Java
 * forward pass with the textbook loss formulas.
 */
class MlpActivationsLossesTest {
    private static final Activation[] NEW = {Activation.GELU, Activation.ELU, Activation.LEAKY_RELU, Activation.SELU,
        Activation.MISH};

    private static Program program(Mlp mlp, Random r, int rows) {
        double[] x = GradCheck.gaussian(r, rows * mlp.inputs(), 1.0);
        int c = mlp.outputs();
        switch (mlp.loss()) {
            case MSE:
                return mlp.program(x, rows, GradCheck.gaussian(r, rows * c, 1.0));
            case CROSS_ENTROPY: {
                int[] y = new int[rows];
                for (int i = 0; i < rows; i++) {
                    y[i] = r.nextInt(c);
                }
                return mlp.program(x, rows, y);
            }
            default: {
                double[] t = new double[rows * c];
                for (int i = 0; i < t.length; i++) {
                    t[i] = r.nextDouble();
                }
                return mlp.program(x, rows, t);
            }
        }
    }

    @Test
    void everyNewActivationLossAndReductionPassesGradCheck() {
        try (Backend cpu = new CpuBackend()) {
            long seed = 300;
            for (Loss loss : Loss.values()) {
                for (Loss.Reduction red : Loss.Reduction.values()) {
                    for (Activation out : new Activation[] {Activation.IDENTITY, Activation.SIGMOID, Activation.GELU}) {
                        Mlp mlp = Mlp.builder().widths(4, 5, 5, 5, 5, 5, 3).bias(true).activations(NEW)
                                .outputActivation(out).loss(loss).reduction(red).l2(0.01).build();
                        Random r = new Random(seed++);
                        Program p = program(mlp, r, 9);
                        double[] th = mlp.init(seed, 0.3);
                        GradCheck.check(p, cpu, th, seed);
                    }
                }
            }
        }
    }

    /** The network's outputs by plain loops (tanh hidden layers, identity output). */
    private static double[] forwardByHand(Mlp mlp, double[] th, double[] x, int rows) {
        double[] a = x;
        int width = mlp.inputs();
        for (int l = 0; l < mlp.layers().size(); l++) {
            Mlp.Layer ly = mlp.layers().get(l);
            double[] z = new double[rows * ly.fanOut()];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < ly.fanOut(); j++) {
                    double s = ly.hasBias() ? th[(int) ly.biasOffset() + j] : 0.0;
                    for (int q = 0; q < width; q++) {
                        s += a[i * width + q] * th[(int) ly.weightOffset() + q * ly.fanOut() + j];
                    }
                    z[i * ly.fanOut() + j] = l + 1 < mlp.layers().size() ? Math.tanh(s) : s;
                }
            }
            a = z;
            width = ly.fanOut();
        }
        return a;
    }

    @Test
    void bceIsTheTextbookFormulaAndSumIsCountTimesMean() {
        Random r = new Random(7);
        int rows = 13;
        Mlp mean = Mlp.builder().widths(3, 6, 4).activation(Activation.TANH).loss(Loss.BCE_WITH_LOGITS).build();
        Mlp sum = Mlp.builder().widths(3, 6, 4).activation(Activation.TANH).loss(Loss.BCE_WITH_LOGITS)
                .reduction(Loss.Reduction.SUM).build();
        double[] x = GradCheck.gaussian(r, rows * 3, 1.5);
        double[] t = new double[rows * 4];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextDouble();
        }
        double[] th = mean.init(8, 0.5);
        double[] z = forwardByHand(mean, th, x, rows);
        double ref = 0;
        for (int i = 0; i < z.length; i++) {
            double s = 1.0 / (1.0 + Math.exp(-z[i]));
            ref += -t[i] * Math.log(s) - (1 - t[i]) * Math.log(1 - s);
        }
        try (Backend cpu = new CpuBackend();
             Plan pm = Plan.compile(mean.program(x, rows, t), cpu);
             Plan ps = Plan.compile(sum.program(x, rows, t), cpu)) {
            assertEquals(ref / z.length, pm.value(th), 1e-13 * ref / z.length, "mean BCE");
            assertEquals(ref, ps.value(th), 1e-13 * ref, "summed BCE");
            // the gradient of the mean is (σ(z) − t)/m back-propagated: sum's is m times it
            double[] gm = pm.at(th).gradientArray();
            double[] gs = ps.at(th).gradientArray();
            scaledEquals(z.length, gm, gs, "BCE gradient");
        }
    }

    /** ‖c·a − b‖ ≤ 1e-13‖b‖: b is c times a up to the rounding of the scaled operations. */
    private static void scaledEquals(double c, double[] a, double[] b, String what) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = c * a[i] - b[i];
        }
        assertTrue(GradCheck.norm(d) <= 1e-13 * GradCheck.norm(b), what + ": ‖c·a − b‖ = " + GradCheck.norm(d)
                + ", ‖b‖ = " + GradCheck.norm(b));
    }

    @Test
    void bceOnLabelsIsBceOnTheirOneHotTargets() {
        Random r = new Random(9);
        int rows = 10;
        Mlp m = Mlp.builder().widths(3, 5, 4).activation(Activation.MISH).loss(Loss.BCE_WITH_LOGITS).build();
        double[] x = GradCheck.gaussian(r, rows * 3, 1.0);
        int[] y = new int[rows];
        double[] t = new double[rows * 4];
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(4);
            t[i * 4 + y[i]] = 1.0;
        }
        double[] th = m.init(10);
        try (Backend cpu = new CpuBackend();
             Plan a = Plan.compile(m.program(x, rows, y), cpu);
             Plan b = Plan.compile(m.program(x, rows, t), cpu)) {
            assertEquals(b.value(th), a.value(th), 0.0);
            assertArrayEquals(b.at(th).gradientArray(), a.at(th).gradientArray(), 0.0);
        }
        Mlp one = Mlp.builder().widths(3, 5, 1).activation(Activation.GELU).loss(Loss.BCE_WITH_LOGITS).build();
        assertThrows(IllegalArgumentException.class, () -> one.program(x, rows, new int[] {0, 1, 2, 0, 1, 0, 1, 0, 1, 0}),
                "one output: labels 0 and 1 only");
        assertThrows(IllegalArgumentException.class, () -> m.program(x, rows, new double[rows * 4 - 1]));
        double[] bad = t.clone();
        bad[3] = 1.5;
        assertThrows(IllegalArgumentException.class, () -> m.program(x, rows, bad), "targets in [0, 1]");
    }

    @Test
    void meanStaysTheDefaultAndSumIsCountTimesMean() {
        Random r = new Random(11);
        int rows = 8;
        double[] x = GradCheck.gaussian(r, rows * 4, 1.0);
        double[] yv = GradCheck.gaussian(r, rows * 3, 1.0);
        int[] lab = {0, 1, 2, 2, 1, 0, 0, 2};
        try (Backend cpu = new CpuBackend()) {
            for (Loss loss : new Loss[] {Loss.MSE, Loss.CROSS_ENTROPY}) {
                Mlp.Builder b = Mlp.builder().widths(4, 6, 3).activation(Activation.SWISH).loss(loss);
                Mlp def = b.build();
                Mlp mean = b.reduction(Loss.Reduction.MEAN).build();
                Mlp sum = b.reduction(Loss.Reduction.SUM).build();
                double[] th = def.init(12, 0.2);
                double count = loss == Loss.MSE ? rows * 3 : rows;
                try (Plan pd = Plan.compile(loss == Loss.MSE ? def.program(x, rows, yv) : def.program(x, rows, lab), cpu);
                     Plan pm = Plan.compile(loss == Loss.MSE ? mean.program(x, rows, yv) : mean.program(x, rows, lab), cpu);
                     Plan ps = Plan.compile(loss == Loss.MSE ? sum.program(x, rows, yv) : sum.program(x, rows, lab), cpu)) {
                    assertEquals(pd.value(th), pm.value(th), 0.0, loss + ": mean is the default");
                    assertArrayEquals(pd.at(th).gradientArray(), pm.at(th).gradientArray(), 0.0);
                    assertEquals(count * pm.value(th), ps.value(th), 1e-15 * count * pm.value(th), loss + ": sum");
                    double[] v = GradCheck.gaussian(r, def.nParams(), 1.0);
                    scaledEquals(count, pm.at(th).hvp(v), ps.at(th).hvp(v), loss + ": Hv");
                }
            }
        }
    }

    @Test
    void perLayerActivationsAreNamedAndChecked() {
        Mlp m = Mlp.builder().widths(3, 4, 4, 2).activations(Activation.TANH, Activation.GELU)
                .outputActivation(Activation.SIGMOID).loss(Loss.MSE).build();
        assertEquals(java.util.List.of(Activation.TANH, Activation.GELU), m.activations());
        assertThrows(IllegalStateException.class, m::activation);
        assertTrue(m.toString().startsWith("MLP 3-4-4-2 (tanh/gelu, output sigmoid, mse,"), m.toString());
        Mlp same = Mlp.builder().widths(3, 4, 4, 2).activations(Activation.ELU, Activation.ELU).loss(Loss.MSE).build();
        assertEquals(Activation.ELU, same.activation());
        Mlp all = Mlp.builder().widths(3, 4, 4, 2).activation(Activation.SWISH).loss(Loss.MSE).build();
        assertEquals(java.util.List.of(Activation.SWISH, Activation.SWISH), all.activations());
        assertEquals(Activation.IDENTITY, all.outputActivation());
        assertTrue(all.toString().startsWith("MLP 3-4-4-2 (swish, mse, biases"), all.toString());
        assertThrows(IllegalArgumentException.class, () -> Mlp.builder().widths(3, 4, 4, 2)
                .activations(Activation.TANH).loss(Loss.MSE).build(), "one activation per hidden layer");
        assertEquals(Activation.LEAKY_RELU, Activation.parse("leaky-relu"));
        assertEquals(Activation.LEAKY_RELU, Activation.parse("leaky_relu"));
        assertEquals("leaky_relu", Activation.LEAKY_RELU.specName());
        assertEquals(Loss.BCE_WITH_LOGITS, Loss.parse("bce"));
    }
}
