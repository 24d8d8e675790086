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

    @Test
    void wolfeExpandsThenStops() {
        Parabola p = new Parabola();
        double c1 = 1e-4;
        double c2 = 0.9;
        LineSearch.Result r = LineSearch.wolfe(p, 0, -4, 0.1, c1, c2, 50);
        assertTrue(r.ok());
        assertEquals(0.2, r.alpha(), 1e-15); // φ'(0.1) = −3.8 < −3.6 doubles; φ'(0.2) = −3.6 passes
        assertTrue(r.value() <= c1 * r.alpha() * -4);
        assertTrue(2 * (r.alpha() - 2) >= c2 * -4);
    }

    @Test
    void wolfeBisectsAfterOvershooting() {
        Parabola p = new Parabola();
        LineSearch.Result r = LineSearch.wolfe(p, 0, -4, 10, 1e-4, 0.1, 50);
        assertTrue(r.ok());
        assertTrue(r.value() <= 1e-4 * r.alpha() * -4);
        assertTrue(2 * (r.alpha() - 2) >= 0.1 * -4, "curvature at " + r.alpha());
        assertTrue(r.alpha() < 10);
        assertThrows(IllegalArgumentException.class, () -> LineSearch.wolfe(p, 0, -4, 1, 0.5, 0.4, 5));
    }
}
