package dev.morse.newton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.data.Gaussian;
import dev.morse.index.HessianOperator;
import dev.morse.index.MorseIndex;
import dev.morse.index.PointClass;
import dev.morse.krylov.TestMatrices;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import dev.morse.optim.Run;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * E9 known answers (paper 003, Thm 3 and Cor 3.3): where a hidden layer's activation and its
 * first two derivatives vanish on the data, the gradient and the whole Hessian vanish for
 * every parameter behind it; only the output bias still moves the loss. The point Newton-MR
 * reaches from there has index 0 at the loss of the best constant output: the label entropy
 * (cross-entropy) or the target variance (MSE). Checked through the engine (Plan,
 * Linearization, HessianOperator, MorseIndex, NewtonMr), against closed forms.
 */
class DegenerateActivationTest {
    private static final int ROWS = 200;
    private static final int IN = 16;
    /** E9's start: every hidden bias shifted by −40 (experiments/e9-degenerate-activations.yaml). */
    private static final double BIAS_SHIFT = -40;
    /** The first layer's pre-activations must lie below this for the degenerate regime. */
    private static final double FAR_NEGATIVE = -30;
    /**
     * Softplus: every gradient or Hessian entry of a parameter other than the output bias
     * carries a factor σ, σ' or σ'' of a pre-activation ≤ −30, all ≤ e^{−30} ≈ 9e-14, times
     * data, weight and softmax factors of order 1 (observed: ≤ ~1e-16).
     */
    private static final double VANISHING = 1e-12;
    /** Closed-form curvature and gradient of the output bias: O(1) quantities summed over 200 rows. */
    private static final double CLOSED_FORM_TOL = 1e-13;
    /**
     * Newton-MR's end loss against the closed form: on the output bias the loss is strongly
     * convex up to the softmax's shift, so it is off by ≲ ‖g‖²/(2μ), μ ≳ 0.05 the smallest
     * nonzero curvature; the runs end at ‖g‖² ~ 1e-32 (observed), 1e-10 leaves wide room.
     */
    private static final double END_LOSS_TOL = 1e-10;
    /** A run ends as a critical point below this ‖g‖² (DESIGN). */
    private static final double CRITICAL = 1e-10;

    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private static double[] inputs(long seed) {
        double[] var = new double[IN];
        Arrays.fill(var, 1.0);
        return Gaussian.diagonal(ROWS, var, seed).features();
    }

    /** max over examples and units of the first hidden layer's pre-activation X·W1 + b1. */
    private static double maxFirstPreActivation(Mlp mlp, double[] th, double[] x) {
        Mlp.Layer l = mlp.layers().get(0);
        double max = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < ROWS; e++) {
            for (int j = 0; j < l.fanOut(); j++) {
                double z = th[(int) l.biasOffset() + j];
                for (int i = 0; i < l.fanIn(); i++) {
                    z += x[e * IN + i] * th[(int) l.weightOffset() + i * l.fanOut() + j];
                }
                max = Math.max(max, z);
            }
        }
        return max;
    }

    private static boolean isOutputBias(Mlp mlp, int i) {
        Mlp.Layer out = mlp.layers().get(mlp.layers().size() - 1);
        return i >= out.biasOffset() && i < out.biasOffset() + out.fanOut();
    }

    private static double[] denseHessian(Linearization lin, int n, HessianOperator h) {
        h.bind(lin);
        return TestMatrices.download(be, h.matrix(), n * n);
    }

    @Test
    void softplusLayerFarNegativeGivesIndexZeroAtTheLabelEntropy() {
        int classes = 10;
        Mlp mlp = Mlp.builder().widths(IN, 12, 8, classes).activation(Activation.SOFTPLUS)
                .loss(Loss.CROSS_ENTROPY).bias(true).build();
        int n = mlp.nParams();
        double[] x = inputs(91);
        Random r = new Random(92);
        int[] y = new int[ROWS];
        double[] freq = new double[classes];
        for (int e = 0; e < ROWS; e++) {
            y[e] = r.nextInt(classes);
            freq[y[e]] += 1.0 / ROWS;
        }
        double entropy = 0;
        for (double f : freq) {
            assertTrue(f > 0, "every class occurs, so the best constant logits are finite");
            entropy -= f * Math.log(f);
        }
        double[] th0 = mlp.init(93);
        mlp.shiftHiddenBiases(th0, BIAS_SHIFT);
        assertTrue(maxFirstPreActivation(mlp, th0, x) < FAR_NEGATIVE);
        int ob = (int) mlp.layers().get(2).biasOffset();
        try (Plan plan = Plan.compile(mlp.crossEntropy(x, ROWS, y), be);
             HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.DENSE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(be, n)) {
            // control: without the shift the hidden parameters do move the loss
            double[] live = plan.at(mlp.init(93)).gradientArray();
            double liveMax = 0;
            for (int i = 0; i < mlp.layers().get(2).weightOffset(); i++) {
                liveMax = Math.max(liveMax, Math.abs(live[i]));
            }
            assertTrue(liveMax > 1e-3, "unshifted: max |∂L/∂θ| over the hidden layers " + liveMax);

            Linearization lin = plan.at(th0);
            // logits ≈ 0 (output bias 0): the loss is ln(classes)
            assertEquals(Math.log(classes), lin.value(), CLOSED_FORM_TOL);
            double[] g = lin.gradientArray();
            double[] hm = denseHessian(lin, n, h);
            double maxBehind = 0;
            for (int i = 0; i < n; i++) {
                if (isOutputBias(mlp, i)) {
                    // ∂L/∂b_c = mean softmax − class frequency = 1/C − f_c
                    assertEquals(1.0 / classes - freq[i - ob], g[i], CLOSED_FORM_TOL, "∂L/∂b" + (i - ob));
                } else {
                    maxBehind = Math.max(maxBehind, Math.abs(g[i]));
                }
                for (int j = 0; j < n; j++) {
                    if (isOutputBias(mlp, i) && isOutputBias(mlp, j)) {
                        // the softmax Jacobian at uniform probabilities: (1/C)·I − (1/C²)·11ᵀ
                        double expect = (i == j ? 1.0 / classes : 0.0) - 1.0 / (classes * classes);
                        assertEquals(expect, hm[i * n + j], CLOSED_FORM_TOL, "H[b" + (i - ob) + ", b" + (j - ob) + "]");
                    } else {
                        maxBehind = Math.max(maxBehind, Math.abs(hm[i * n + j]));
                    }
                }
            }
            assertTrue(maxBehind < VANISHING, "largest gradient or Hessian entry behind the layer: " + maxBehind);
            // spectrum: C − 1 eigenvalues 1/C, one 0 (the softmax's shift invariance), the rest ≈ 0
            MorseIndex.Spectrum sp = MorseIndex.spectrum(h, ws);
            assertTrue(sp.status().ok());
            assertEquals(1.0 / classes, sp.max(), CLOSED_FORM_TOL);
            assertEquals(classes - 1, n - sp.nearZeroCount(VANISHING));
            assertEquals(0.0, sp.index(MorseIndex.DEFAULT_THRESHOLD).index(), 0.0);
            assertEquals(0, MorseIndex.byInertia(h, MorseIndex.DEFAULT_THRESHOLD, ws).negative());

            // Newton-MR (the paper's defaults, as E9) fits the output bias and stops
            try (NewtonMr nm = new NewtonMr(plan, NewtonMr.Options.defaults().withMaxIterations(50))) {
                Run run = nm.run(th0);
                assertTrue(run.finalGradNormSq() < CRITICAL, "‖g‖² = " + run.finalGradNormSq());
                assertEquals(PointClass.CRITICAL, run.classify());
                assertEquals(entropy, run.finalLoss(), END_LOSS_TOL, "the label entropy −Σ f ln f");
                assertTrue(run.finalLoss() > 0.95 * Math.log(classes), "a high loss: near chance " + Math.log(classes));
                double[] th = run.theta();
                for (int i = 0; i < n; i++) {
                    if (!isOutputBias(mlp, i)) {
                        assertEquals(th0[i], th[i], VANISHING, "θ other than the output bias does not move (" + i + ")");
                    }
                }
                h.bind(plan.at(th));
                MorseIndex.Spectrum end = MorseIndex.spectrum(h, ws);
                assertEquals(0.0, end.index(MorseIndex.DEFAULT_THRESHOLD).index(), 0.0);
            }
        }
    }

    @Test
    void reluLayerAllNegativeGivesExactlyZeroGradientAndHessianBehindIt() {
        int outs = 3;
        Mlp mlp = Mlp.builder().widths(IN, 12, 8, outs).activation(Activation.RELU).loss(Loss.MSE).bias(true).build();
        int n = mlp.nParams();
        double[] x = inputs(81);
        Random r = new Random(82);
        double[] yv = new double[ROWS * outs];
        for (int e = 0; e < ROWS; e++) {
            for (int c = 0; c < outs; c++) {
                yv[e * outs + c] = (c + 1) + (0.5 + c) * r.nextGaussian();
            }
        }
        // the best constant output is the column mean; its loss the mean of the column variances
        double meanSq = 0;
        double variance = 0;
        for (int c = 0; c < outs; c++) {
            double m = 0;
            for (int e = 0; e < ROWS; e++) {
                m += yv[e * outs + c] / ROWS;
                meanSq += yv[e * outs + c] * yv[e * outs + c] / (ROWS * outs);
            }
            for (int e = 0; e < ROWS; e++) {
                double d = yv[e * outs + c] - m;
                variance += d * d / (ROWS * outs);
            }
        }
        double[] th0 = mlp.init(83);
        mlp.shiftHiddenBiases(th0, BIAS_SHIFT);
        assertTrue(maxFirstPreActivation(mlp, th0, x) < 0, "every ReLU is off");
        int ob = (int) mlp.layers().get(2).biasOffset();
        try (Plan plan = Plan.compile(mlp.mse(x, ROWS, yv), be);
             HessianOperator h = new HessianOperator(be, n, HessianOperator.Mode.DENSE);
             MorseIndex.Workspace ws = new MorseIndex.Workspace(be, n)) {
            Linearization lin = plan.at(th0);
            // the output is exactly 0: the loss is mean(y²)
            assertEquals(meanSq, lin.value(), CLOSED_FORM_TOL * meanSq);
            double[] g = lin.gradientArray();
            double[] hm = denseHessian(lin, n, h);
            double maxBehind = 0;
            for (int i = 0; i < n; i++) {
                if (isOutputBias(mlp, i)) {
                    assertTrue(Math.abs(g[i]) > 0.1, "the output bias still moves the loss");
                    continue;
                }
                maxBehind = Math.max(maxBehind, Math.abs(g[i]));
                for (int j = 0; j < n; j++) {
                    maxBehind = Math.max(maxBehind, Math.abs(hm[i * n + j]));
                }
            }
            assertEquals(0.0, maxBehind, 0.0, "gradient and Hessian behind the ReLU layer are exactly zero");
            // MSE over ROWS·outs entries: ∂²L/∂b_c∂b_d = (2/outs)·δ_cd
            for (int c = 0; c < outs; c++) {
                for (int d = 0; d < outs; d++) {
                    assertEquals(c == d ? 2.0 / outs : 0.0, hm[(ob + c) * n + ob + d], CLOSED_FORM_TOL);
                }
            }
            MorseIndex.Spectrum sp = MorseIndex.spectrum(h, ws);
            assertEquals(n - outs, sp.nearZeroCount(0.0), "exactly zero eigenvalues behind the layer");
            assertEquals(0.0, sp.index(MorseIndex.DEFAULT_THRESHOLD).index(), 0.0);
            assertEquals(0, MorseIndex.byInertia(h, MorseIndex.DEFAULT_THRESHOLD, ws).negative());

            try (NewtonMr nm = new NewtonMr(plan, NewtonMr.Options.defaults().withMaxIterations(50))) {
                Run run = nm.run(th0);
                assertTrue(run.finalGradNormSq() < CRITICAL, "‖g‖² = " + run.finalGradNormSq());
                assertEquals(variance, run.finalLoss(), END_LOSS_TOL * variance, "the targets' variance");
                double[] th = run.theta();
                for (int i = 0; i < n; i++) {
                    if (!isOutputBias(mlp, i)) {
                        assertEquals(th0[i], th[i], 0.0, "θ other than the output bias does not move (" + i + ")");
                    }
                }
                h.bind(plan.at(th));
                assertEquals(0.0, MorseIndex.spectrum(h, ws).index(MorseIndex.DEFAULT_THRESHOLD).index(), 0.0);
            }
        }
    }
}
