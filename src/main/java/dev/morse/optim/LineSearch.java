package dev.morse.optim;

/**
 * Line searches along a direction d on a merit φ(α) = c(θ + αd), with φ(0) = f0 and
 * φ'(0) = slope0 < 0.
 * <ul>
 *   <li>{@link #armijo}: backtracking from α0 by a factor β until the sufficient-decrease
 *       (Armijo) condition φ(α) ≤ f0 + c1·α·slope0 holds.</li>
 *   <li>{@link #strongWolfe}: the strong Wolfe conditions, sufficient decrease and
 *       |φ'(α)| ≤ c2·|φ'(0)| (Nocedal & Wright Alg 3.5-3.6: expansion, then zoom with
 *       safeguarded interpolation). One implementation for BFGS, L-BFGS and gradient-norm
 *       minimization.</li>
 * </ul>
 * A non-finite φ counts as failing sufficient decrease.
 */
public final class LineSearch {
    private LineSearch() {
    }

    /** The merit along the direction; {@link #slope} is asked only right after {@link #value} at the same α. */
    public interface Merit {
        double value(double alpha);

        double slope(double alpha);

        /** True when θ + αd rounds to θ: no smaller α can change anything. */
        default boolean noMove(double alpha) {
            return false;
        }
    }

    /**
     * @param alpha       the step found (0 if none)
     * @param value       φ(alpha) when known (NaN otherwise)
     * @param ok          the conditions hold at alpha
     * @param evaluations evaluations of φ
     * @param atAlpha     the merit's last evaluation was at alpha (its state can be reused)
     */
    public record Result(double alpha, double value, boolean ok, int evaluations, boolean atAlpha) {
    }

    public static Result armijo(Merit m, double f0, double slope0, double alpha0, double beta, double c1,
                                double minStep, int maxEvaluations) {
        double a = alpha0;
        int ev = 0;
        while (ev < maxEvaluations) {
            double f = m.value(a);
            ev++;
            if (f <= f0 + c1 * a * slope0) {
                return new Result(a, f, true, ev, true);
            }
            a *= beta;
            if (a < minStep || a == 0 || m.noMove(a)) {
                break;
            }
        }
        return new Result(0.0, f0, false, ev, false);
    }

    /**
     * A step satisfying the strong Wolfe conditions, φ(α) ≤ f0 + c1·α·slope0 and
     * |φ'(α)| ≤ c2·|slope0| (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg 3.5 with
     * zoom, Alg 3.6). Phase one tries α0, 2α0, 4α0, ... (at most alphaMax) until a step fails
     * sufficient decrease, does not decrease φ below the previous step, or has φ' ≥ 0: then an
     * interval holding strong Wolfe points is known and {@code zoom} shrinks it by safeguarded
     * quadratic interpolation (the minimizer of the quadratic through φ(lo), φ'(lo), φ(hi),
     * kept at least a tenth of the interval from either end; bisection when that fails).
     * When the evaluations run out, the best sufficient-decrease step seen is returned with
     * ok = false (0 if there is none).
     */
    public static Result strongWolfe(Merit m, double f0, double slope0, double alpha0, double c1, double c2,
                                     double alphaMax, int maxEvaluations) {
        if (!(0 < c1 && c1 < c2 && c2 < 1)) {
            throw new IllegalArgumentException("wolfe line search needs 0 < c1 < c2 < 1, got " + c1 + ", " + c2);
        }
        if (!(slope0 < 0) || !(alpha0 > 0) || !(alphaMax >= alpha0)) {
            throw new IllegalArgumentException("wolfe line search needs slope0 < 0 < alpha0 <= alphaMax, got "
                    + slope0 + ", " + alpha0 + ", " + alphaMax);
        }
        final double curv = c2 * -slope0;
        double aPrev = 0;
        double fPrev = f0;
        double dPrev = slope0;
        double a = alpha0;
        int ev = 0;
        while (ev < maxEvaluations) {
            final double f = m.value(a);
            ev++;
            if (!(f <= f0 + c1 * a * slope0) || (ev > 1 && f >= fPrev)) {
                return zoom(m, f0, slope0, c1, curv, aPrev, fPrev, dPrev, a, f, ev, maxEvaluations);
            }
            final double d = m.slope(a);
            if (Math.abs(d) <= curv) {
                return new Result(a, f, true, ev, true);
            }
            if (d >= 0) {
                return zoom(m, f0, slope0, c1, curv, a, f, d, aPrev, fPrev, ev, maxEvaluations);
            }
            if (a >= alphaMax) {
                return new Result(a, f, false, ev, true); // still descending at the largest step allowed
            }
            aPrev = a;
            fPrev = f;
            dPrev = d;
            a = Math.min(2 * a, alphaMax);
        }
        return aPrev > 0 ? new Result(aPrev, fPrev, false, ev, false) : new Result(0.0, f0, false, ev, false);
    }

    /**
     * N&W Alg 3.6. Invariants: lo satisfies sufficient decrease and has the lowest φ of the
     * steps that do; φ'(lo)(hi − lo) < 0, so a strong Wolfe point lies between lo and hi.
     */
    private static Result zoom(Merit m, double f0, double slope0, double c1, double curv, double lo, double fLo,
                               double dLo, double hi, double fHi, int ev, int maxEvaluations) {
        while (ev < maxEvaluations) {
            final double a = interpolate(lo, fLo, dLo, hi, fHi);
            if (a == lo || a == hi || m.noMove(a)) {
                break; // the interval has shrunk to rounding
            }
            final double f = m.value(a);
            ev++;
            if (!(f <= f0 + c1 * a * slope0) || f >= fLo) {
                hi = a;
                fHi = f;
            } else {
                final double d = m.slope(a);
                if (Math.abs(d) <= curv) {
                    return new Result(a, f, true, ev, true);
                }
                if (d * (hi - lo) >= 0) {
                    hi = lo;
                    fHi = fLo;
                }
                lo = a;
                fLo = f;
                dLo = d;
            }
        }
        return lo > 0 ? new Result(lo, fLo, false, ev, false) : new Result(0.0, f0, false, ev, false);
    }

    /** The minimizer of the quadratic through φ(lo), φ'(lo), φ(hi), safeguarded into the interval's middle 80%. */
    static double interpolate(double lo, double fLo, double dLo, double hi, double fHi) {
        final double h = hi - lo;
        final double mid = lo + 0.5 * h;
        final double c = (fHi - fLo - dLo * h) / (h * h); // curvature of the quadratic
        if (!(c > 0) || !Double.isFinite(c)) {
            return mid;
        }
        final double a = lo - dLo / (2 * c);
        final double near = lo + 0.1 * h;
        final double far = hi - 0.1 * h;
        final double min = Math.min(near, far);
        final double max = Math.max(near, far);
        return a >= min && a <= max ? a : mid;
    }
}
