package dev.morse.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LineSearchTest {
    /** φ(α) = (α − 2)² − 4: φ(0) = 0, φ'(0) = −4, minimum at α = 2. */
    private static final class Parabola implements LineSearch.Merit {
        int evaluations;
        double last = Double.NaN;

        @Override
        public double value(double a) {
            evaluations++;
            last = a;
            return (a - 2) * (a - 2) - 4;
        }

        @Override
        public double slope(double a) {
            assertEquals(last, a, 0.0, "slope asked at the α last evaluated");
            return 2 * (a - 2);
        }
    }

    @Test
    void armijoBacktracksToSufficientDecrease() {
        Parabola p = new Parabola();
        LineSearch.Result r = LineSearch.armijo(p, 0, -4, 8, 0.5, 1e-4, 0, 50);
        assertTrue(r.ok());
        assertEquals(2.0, r.alpha(), 0.0); // 8 and 4 fail (φ = 32, 0), 2 passes
        assertEquals(3, r.evaluations());
        assertTrue(r.value() <= 1e-4 * r.alpha() * -4);
    }

    @Test
    void armijoGivesUpBelowTheMinimumStep() {
        LineSearch.Merit up = new LineSearch.Merit() {
            @Override
            public double value(double a) {
                return a; // increases along d: no α > 0 decreases it
            }

            @Override
            public double slope(double a) {
                return 1;
            }
        };
        LineSearch.Result r = LineSearch.armijo(up, 0, -1, 1, 0.5, 1e-4, 1e-6, 100);
        assertFalse(r.ok());
        assertEquals(0.0, r.alpha(), 0.0);
    }

    /** A 1-D merit from a function with its derivative, checking that φ' is asked where φ was. */
    private static final class Along implements LineSearch.Merit {
        final java.util.function.DoubleUnaryOperator f;
        final java.util.function.DoubleUnaryOperator df;
        int evaluations;
        double last = Double.NaN;

        Along(java.util.function.DoubleUnaryOperator f, java.util.function.DoubleUnaryOperator df) {
            this.f = f;
            this.df = df;
        }

        @Override
        public double value(double a) {
            evaluations++;
            last = a;
            return f.applyAsDouble(a);
        }

        @Override
        public double slope(double a) {
            assertEquals(last, a, 0.0, "slope asked at the α last evaluated");
            return df.applyAsDouble(a);
        }
    }

    /** The strong Wolfe conditions at the returned step, checked on the function itself. */
    private static void assertStrongWolfe(Along m, LineSearch.Result r, double c1, double c2) {
        double f0 = m.f.applyAsDouble(0);
        double d0 = m.df.applyAsDouble(0);
        assertTrue(r.ok(), "no strong Wolfe step found: " + r);
        assertTrue(r.alpha() > 0);
        assertEquals(m.f.applyAsDouble(r.alpha()), r.value(), 0.0);
        assertTrue(r.value() <= f0 + c1 * r.alpha() * d0, "sufficient decrease fails at " + r.alpha());
        assertTrue(Math.abs(m.df.applyAsDouble(r.alpha())) <= c2 * Math.abs(d0), "curvature fails at " + r.alpha()
                + ": φ' = " + m.df.applyAsDouble(r.alpha()));
    }

    private static Along parabola() {
        return new Along(a -> (a - 2) * (a - 2) - 4, a -> 2 * (a - 2));
    }

    @Test
    void strongWolfeExpandsThenStops() {
        Along p = parabola();
        LineSearch.Result r = LineSearch.strongWolfe(p, 0, -4, 0.1, 1e-4, 0.9, 1e10, 50);
        assertStrongWolfe(p, r, 1e-4, 0.9);
        assertEquals(0.2, r.alpha(), 1e-15); // φ'(0.1) = −3.8 fails |φ'| ≤ 3.6, doubles; φ'(0.2) = −3.6 passes
        // a tight c2: expansion to 3.2 (φ above φ(1.6)), then zoom; the quadratic model is exact here
        Along q = parabola();
        LineSearch.Result t = LineSearch.strongWolfe(q, 0, -4, 0.1, 1e-4, 0.1, 1e10, 50);
        assertStrongWolfe(q, t, 1e-4, 0.1);
        assertEquals(2.0, t.alpha(), 1e-12);
    }

    @Test
    void strongWolfeZoomsAfterOvershooting() {
        Along p = parabola();
        LineSearch.Result r = LineSearch.strongWolfe(p, 0, -4, 10, 1e-4, 0.1, 1e10, 50);
        assertStrongWolfe(p, r, 1e-4, 0.1);
        assertTrue(r.alpha() < 10);
        assertThrows(IllegalArgumentException.class, () -> LineSearch.strongWolfe(p, 0, -4, 1, 0.5, 0.4, 10, 5));
    }

    @Test
    void strongWolfeRejectsAStepPastTheMinimumThatWeakWolfeAccepts() {
        // α0 = 3.9: φ = −0.39 decreases enough and φ' = 3.8 ≥ 0.9·(−4) (weak Wolfe holds), but
        // |φ'| = 3.8 > 3.6: too far past the minimum for the strong conditions
        Along p = parabola();
        LineSearch.Result r = LineSearch.strongWolfe(p, 0, -4, 3.9, 1e-4, 0.9, 1e10, 50);
        assertStrongWolfe(p, r, 1e-4, 0.9);
        assertTrue(r.alpha() < 3.9, "" + r.alpha());
    }

    @Test
    void strongWolfeOnRosenbrockAndOnANonconvexQuartic() {
        // Rosenbrock from (−1.2, 1) along steepest descent
        double x0 = -1.2;
        double y0 = 1.0;
        double gx = -400 * x0 * (y0 - x0 * x0) - 2 * (1 - x0);
        double gy = 200 * (y0 - x0 * x0);
        double dx = -gx;
        double dy = -gy;
        java.util.function.DoubleUnaryOperator f = a -> {
            double x = x0 + a * dx;
            double y = y0 + a * dy;
            return 100 * (y - x * x) * (y - x * x) + (1 - x) * (1 - x);
        };
        java.util.function.DoubleUnaryOperator df = a -> {
            double x = x0 + a * dx;
            double y = y0 + a * dy;
            return (-400 * x * (y - x * x) - 2 * (1 - x)) * dx + 200 * (y - x * x) * dy;
        };
        for (double c2 : new double[] {0.9, 0.1}) {
            Along m = new Along(f, df);
            LineSearch.Result r = LineSearch.strongWolfe(m, f.applyAsDouble(0), df.applyAsDouble(0), 1.0, 1e-4, c2,
                    1e10, 60);
            assertStrongWolfe(m, r, 1e-4, c2);
        }
        // φ(α) = α⁴ − 3α² − α: two wells; from α0 = 1e-3 the search expands into the first basin
        Along w = new Along(a -> a * a * a * a - 3 * a * a - a, a -> 4 * a * a * a - 6 * a - 1);
        LineSearch.Result r = LineSearch.strongWolfe(w, 0, -1, 1e-3, 1e-4, 0.5, 1e10, 60);
        assertStrongWolfe(w, r, 1e-4, 0.5);
    }

    @Test
    void aNonFiniteMeritCountsAsTooLong() {
        // φ is NaN beyond α = 1: the search must come back below it
        Along m = new Along(a -> a > 1 ? Double.NaN : (a - 0.5) * (a - 0.5) - 0.25, a -> 2 * (a - 0.5));
        LineSearch.Result r = LineSearch.strongWolfe(m, 0, -1, 4, 1e-4, 0.9, 1e10, 60);
        assertStrongWolfe(m, r, 1e-4, 0.9);
        assertTrue(r.alpha() <= 1);
    }
}
