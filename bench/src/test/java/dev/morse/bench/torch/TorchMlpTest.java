package dev.morse.bench.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks the peer computes the loss, gradient and HVP it claims to time. */
class TorchMlpTest {

    /** Central-difference step; float64 truncation O(ε²) and round-off O(1e-16/ε) are both ~1e-10. */
    private static final double FD_STEP = 1e-5;
    /** Relative tolerance against central differences: ~1e4 × the expected error above. */
    private static final double FD_TOL = 1e-6;
    /** ⟨u, Hv⟩ = ⟨v, Hu⟩ holds to round-off of a few hundred float64 products. */
    private static final double SYMMETRY_TOL = 1e-10;
    /** ln C recomputed after a log-softmax of zeros: a few ulps. */
    private static final double EXACT_TOL = 1e-13;

    @ParameterizedTest
    @ValueSource(strings = {"5-4-3@6", "5-4-3-2@7:nobias", "3-4-2@5:mse", "4-3-3@6:mse:nobias"})
    void gradientMatchesCentralDifferencesOfTheLoss(String network) {
        try (TorchMlp mlp = new TorchMlp(NetworkSpec.parse(network), 11)) {
            double[] theta = mlp.parameters();
            double[] v = gaussian(theta.length, 3);
            double[] g = mlp.gradient();
            mlp.setParameters(axpy(theta, FD_STEP, v));
            double up = mlp.loss();
            mlp.setParameters(axpy(theta, -FD_STEP, v));
            double down = mlp.loss();
            double fd = (up - down) / (2 * FD_STEP);
            assertEquals(fd, dot(g, v), FD_TOL * Math.abs(fd), network);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"5-4-3@6", "5-4-3-2@7:nobias", "3-4-2@5:mse", "4-3-3@6:mse:nobias"})
    void hvpMatchesCentralDifferencesOfTheGradient(String network) {
        try (TorchMlp mlp = new TorchMlp(NetworkSpec.parse(network), 12)) {
            double[] theta = mlp.parameters();
            double[] v = gaussian(theta.length, 4);
            double[] hv = mlp.hvp(v);
            mlp.setParameters(axpy(theta, FD_STEP, v));
            double[] up = mlp.gradient();
            mlp.setParameters(axpy(theta, -FD_STEP, v));
            double[] down = mlp.gradient();
            double err = 0;
            for (int i = 0; i < hv.length; i++) {
                double d = hv[i] - (up[i] - down[i]) / (2 * FD_STEP);
                err += d * d;
            }
            assertTrue(Math.sqrt(err) <= FD_TOL * Math.sqrt(dot(hv, hv)),
                    network + ": |Hv - fd| = " + Math.sqrt(err) + ", |Hv| = " + Math.sqrt(dot(hv, hv)));
        }
    }

    /** The two formulations compute the same loss (same data and weights), and addmm's HVP is right too. */
    @ParameterizedTest
    @ValueSource(strings = {"5-4-3@6", "5-4-3-2@7:nobias", "3-4-2@5:mse"})
    void bothFormulationsAreTheSameLoss(String network) {
        try (TorchMlp a = new TorchMlp(NetworkSpec.parse(network), 14, TorchMlp.Formulation.LINEAR_SILU);
             TorchMlp b = new TorchMlp(NetworkSpec.parse(network), 14, TorchMlp.Formulation.ADDMM_XSIGMOID)) {
            assertEquals(a.loss(), b.loss(), SYMMETRY_TOL * Math.abs(a.loss()), network);
            assertTrue(TorchPeer.hvpCheck(b, FD_STEP) <= FD_TOL, network);
        }
    }

    @Test
    void hvpIsSymmetric() {
        try (TorchMlp mlp = new TorchMlp(NetworkSpec.parse("6-5-4@9"), 13)) {
            double[] u = gaussian(mlp.parameterCount(), 5);
            double[] v = gaussian(mlp.parameterCount(), 6);
            double uhv = dot(u, mlp.hvp(v));
            double vhu = dot(v, mlp.hvp(u));
            assertEquals(uhv, vhu, SYMMETRY_TOL * Math.abs(uhv));
        }
    }

    @Test
    void crossEntropyOfZeroLogitsIsLogOfClassCount() {
        try (TorchMlp mlp = new TorchMlp(NetworkSpec.parse("5-4-7@6"), 14)) {
            mlp.setParameters(new double[mlp.parameterCount()]);
            assertEquals(Math.log(7), mlp.loss(), EXACT_TOL);
        }
    }

    @Test
    void parametersRoundTripAndSeedsDecide() {
        NetworkSpec spec = NetworkSpec.parse("5-4-3@6");
        try (TorchMlp a = new TorchMlp(spec, 1); TorchMlp b = new TorchMlp(spec, 1); TorchMlp c = new TorchMlp(spec, 2)) {
            assertEquals(a.loss(), b.loss());
            assertNotEquals(a.loss(), c.loss());
            double[] theta = gaussian(a.parameterCount(), 7);
            a.setParameters(theta);
            assertEquals(0, java.util.Arrays.compare(theta, a.parameters()));
        }
    }

    @Test
    void wrongLengthsNameBothLengths() {
        try (TorchMlp mlp = new TorchMlp(NetworkSpec.parse("5-4-3@6"), 1)) {
            String msg = assertThrows(IllegalArgumentException.class, () -> mlp.hvp(new double[3])).getMessage();
            assertTrue(msg.contains("3") && msg.contains(Integer.toString(mlp.parameterCount())), msg);
            assertThrows(IllegalArgumentException.class, () -> mlp.setParameters(new double[40]));
        }
    }

    private static double[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextGaussian();
        return x;
    }

    private static double[] axpy(double[] x, double a, double[] y) {
        double[] z = new double[x.length];
        for (int i = 0; i < x.length; i++) z[i] = x[i] + a * y[i];
        return z;
    }

    private static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }
}
