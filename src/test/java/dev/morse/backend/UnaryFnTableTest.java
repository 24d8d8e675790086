package dev.morse.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The table itself: every function's f′ and f″ against central differences of f and f′, each
 * new activation's value against its textbook formula, the smoothness flags, and the tiled
 * {@link UnaryFn#eval} (with and without derivatives) bitwise equal to one element at a time.
 */
class UnaryFnTableTest {
    /**
     * Central differences with h = 1e-5·max(1, |x|): truncation h²|f‴|/6 ≈ 1e-10, rounding
     * ε|f|/h ≈ 1e-11; relative to max(1, |exact|), with margin.
     */
    static final double FD_TOL = 1e-7;

    private static double[] grid(UnaryFn f) {
        java.util.List<Double> xs = new java.util.ArrayList<>();
        for (double x = -6.0; x <= 6.0; x += 0.0731) {
            if (f.positiveDomain() && x <= 0.05) {
                continue;
            }
            if (Math.abs(x) < 1e-3) {
                continue; // the kinks of relu, leaky relu, elu, selu
            }
            xs.add(x);
        }
        return xs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void derivativesAreTheDifferencesOfTheFunction() {
        for (UnaryFn f : UnaryFn.values()) {
            int p = f == UnaryFn.POWI ? 3 : 0;
            for (double x : grid(f)) {
                double h = 1e-5 * Math.max(1.0, Math.abs(x));
                double fd1 = (f.f(x + h, p) - f.f(x - h, p)) / (2 * h);
                double fd2 = (f.d1(x + h, p) - f.d1(x - h, p)) / (2 * h);
                double d1 = f.d1(x, p);
                double d2 = f.d2(x, p);
                assertEquals(fd1, d1, FD_TOL * Math.max(1.0, Math.abs(d1)), f + "' at " + x);
                assertEquals(fd2, d2, FD_TOL * Math.max(1.0, Math.abs(d2)), f + "'' at " + x);
            }
        }
    }

    @Test
    void newActivationsAreTheirTextbookFormulas() {
        double lambda = 1.0507009873554804934; // Klambauer et al. (2017), Eq. 14
        double alpha = 1.6732632423543772848;
        for (double x = -6.0; x <= 6.0; x += 0.0917) {
            assertEquals(x > 0 ? x : Math.exp(x) - 1, UnaryFn.ELU.f(x, 0), 1e-15, "elu " + x);
            assertEquals(x > 0 ? x : 0.01 * x, UnaryFn.LEAKY_RELU.f(x, 0), 0.0, "leaky relu " + x);
            assertEquals(x > 0 ? lambda * x : lambda * alpha * (Math.exp(x) - 1), UnaryFn.SELU.f(x, 0),
                    4e-16 * 6, "selu " + x);
            double mish = x * Math.tanh(Math.log(1 + Math.exp(x)));
            assertEquals(mish, UnaryFn.MISH.f(x, 0), 1e-14 * Math.max(1, Math.abs(mish)), "mish " + x);
        }
        // far tails: the stable forms neither overflow nor lose the linear part
        assertEquals(40.0, UnaryFn.MISH.f(40.0, 0), 0.0);
        assertEquals(1.0, UnaryFn.MISH.d1(40.0, 0), 0.0);
        assertEquals(800.0, UnaryFn.GELU.f(800.0, 0), 0.0);
        assertEquals(-0.0, UnaryFn.GELU.f(-40.0, 0), 0.0);
        assertEquals(-1.0, UnaryFn.ELU.f(-800.0, 0), 0.0);
        assertEquals(0.0, UnaryFn.GELU.d2(40.0, 0), 0.0);
    }

    @Test
    void smoothnessFlags() {
        for (UnaryFn f : new UnaryFn[] {UnaryFn.RELU, UnaryFn.LEAKY_RELU, UnaryFn.ELU, UnaryFn.SELU}) {
            assertFalse(f.smooth(), f + " is not twice differentiable at 0");
        }
        for (UnaryFn f : new UnaryFn[] {UnaryFn.GELU, UnaryFn.MISH, UnaryFn.SWISH, UnaryFn.TANH}) {
            assertTrue(f.smooth(), f.toString());
        }
        // ELU is C¹ at 0 (both sides' slope 1) but f″ jumps from 1 to 0
        assertEquals(1.0, UnaryFn.ELU.d1(-1e-300, 0), 0.0);
        assertEquals(1.0, UnaryFn.ELU.d1(1e-300, 0), 0.0);
    }

    @Test
    void tilesAreBitwiseOneElementAtATime() {
        Random r = new Random(3);
        int m = 300;
        for (UnaryFn f : UnaryFn.values()) {
            int p = f == UnaryFn.POWI ? -3 : 0;
            double[] x = new double[m];
            for (int i = 0; i < m; i++) {
                x[i] = f.positiveDomain() ? 0.01 + 5 * r.nextDouble() : 8 * r.nextGaussian();
            }
            double[] y = new double[m];
            double[] yOnly = new double[m];
            double[] d1 = new double[m];
            double[] d2 = new double[m];
            f.eval(p, x, y, d1, d2, m);
            f.eval(p, x, yOnly, null, null, m);
            assertArrayEquals(y, yOnly, 0.0, f + ": f with and without derivatives");
            for (int i = 0; i < m; i++) {
                double[] one = f.derivatives(x[i], p);
                assertEquals(y[i], one[0], 0.0, f + " f");
                assertEquals(d1[i], one[1], 0.0, f + " f'");
                assertEquals(d2[i], one[2], 0.0, f + " f''");
            }
        }
    }
}
