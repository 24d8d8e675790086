package dev.morse.optim;

/**
 * Line searches along a direction d on a merit φ(α) = c(θ + αd), with φ(0) = f0 and
 * φ'(0) = slope0 < 0.
 * <ul>
 *   <li>{@link #armijo}: backtracking from α0 by a factor β until the sufficient-decrease
 *       (Armijo) condition φ(α) ≤ f0 + c1·α·slope0 holds.</li>
 *   <li>{@link #wolfe}: bracketing and bisection until the weak Wolfe conditions hold,
 *       sufficient decrease and curvature φ'(α) ≥ c2·slope0 (Lewis & Overton's scheme):
 *       α doubles while it decreases φ enough but φ is still steep, and is bisected once a
 *       step that decreases φ too little brackets the answer.</li>
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

    public static Result wolfe(Merit m, double f0, double slope0, double alpha0, double c1, double c2,
                               int maxEvaluations) {
        if (!(0 < c1 && c1 < c2 && c2 < 1)) {
            throw new IllegalArgumentException("wolfe line search needs 0 < c1 < c2 < 1, got " + c1 + ", " + c2);
        }
        double lo = 0;
        double hi = Double.POSITIVE_INFINITY;
        double a = alpha0;
        double fLo = f0;
        int ev = 0;
        while (ev < maxEvaluations) {
            double f = m.value(a);
            ev++;
            if (!(f <= f0 + c1 * a * slope0)) {
                hi = a;
            } else {
                double d = m.slope(a);
                if (d < c2 * slope0) {
                    lo = a;
                    fLo = f;
                } else {
                    return new Result(a, f, true, ev, true);
                }
            }
            double next = hi < Double.POSITIVE_INFINITY ? 0.5 * (lo + hi) : 2 * a;
            if (next == a || m.noMove(next)) {
                break;
            }
            a = next;
        }
        // no Wolfe point found: fall back to the best sufficient-decrease step, if any
        return lo > 0 ? new Result(lo, fLo, false, ev, false) : new Result(0.0, f0, false, ev, false);
    }
}
