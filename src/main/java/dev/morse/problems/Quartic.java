package dev.morse.problems;

import dev.morse.ad.Program;
import dev.morse.ad.Tracer;
import dev.morse.ad.Value;

/**
 * The quartic of thesis Example 3.1 (Eq 3.35), θ = (x, y):
 * f(x, y) = x⁴/4 − 3x² + 9x + 0.9y⁴ + 5y² + 40.
 * ∇f = (x³ − 6x + 9, 3.6y³ + 10y), ∇²f = diag(3x² − 6, 10.8y² + 10).
 * Its only critical point is the global minimum (−3, 0); (±√2, 0) are strict gradient-flat
 * points (∇f lies in the kernel of ∇²f), (√2, 0) a local minimum of ‖∇f‖² with
 * ‖∇f‖² = (9 − 4√2)² ≈ 11.17.
 */
public final class Quartic {
    public static final double[] MINIMUM = {-3.0, 0.0};
    public static final double[] FLAT_POINT = {Math.sqrt(2.0), 0.0};

    private Quartic() {
    }

    public static Program program() {
        Tracer t = new Tracer(2);
        Value x = t.param(0, 1, 1);
        Value y = t.param(1, 1, 1);
        Value f = x.pow(4).scale(0.25)
                .add(x.square().scale(-3.0))
                .add(x.scale(9.0))
                .add(y.pow(4).scale(0.9))
                .add(y.square().scale(5.0))
                .plus(40.0);
        return t.program(f);
    }

    /** f at (x, y), in closed form. */
    public static double value(double x, double y) {
        return x * x * x * x / 4 - 3 * x * x + 9 * x + 0.9 * y * y * y * y + 5 * y * y + 40;
    }

    /** ∇f at (x, y), in closed form. */
    public static double[] gradient(double x, double y) {
        return new double[] {x * x * x - 6 * x + 9, 3.6 * y * y * y + 10 * y};
    }

    /** The diagonal of ∇²f at (x, y), in closed form (the off-diagonal is zero). */
    public static double[] hessianDiagonal(double x, double y) {
        return new double[] {3 * x * x - 6, 10.8 * y * y + 10};
    }
}
