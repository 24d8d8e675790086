package dev.morse.backend;

/**
 * The error function erf and its complement erfc in float64, to about 1e-15 relative over
 * the whole line (erfc until it underflows near x = 27.2), written from three expansions:
 * <ul>
 *   <li>|x| &lt; ½: the Maclaurin series erf x = (2/√π) Σₙ (−1)ⁿ x^{2n+1} / (n!(2n+1))
 *       (Abramowitz &amp; Stegun 7.1.5), 14 terms by Horner in x²; erfc = 1 − erf.</li>
 *   <li>½ ≤ x &lt; 8: erfc x = e^{−x²}·erfcx(x), with the scaled function erfcx = e^{x²}erfc
 *       (slowly varying) Taylor-expanded about the nearest centre cⱼ, |x − cⱼ| ≤ 1/16. Its ODE
 *       y′ = 2xy − 2/√π gives the coefficients: (k+1)aₖ₊₁ = 2c·aₖ + 2aₖ₋₁ − (2/√π)[k = 0];
 *       a₀ = erfcx(cⱼ) comes, once, from the continued fraction below run 10⁴ levels deep.</li>
 *   <li>x ≥ 8: Laplace's continued fraction √π·erfcx(x) = 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …))))
 *       (A&amp;S 7.1.14), evaluated bottom-up from a fixed depth (a Stieltjes fraction: the
 *       backward recurrence is stable).</li>
 * </ul>
 * e^{−x²} is formed as e^{−z²}·e^{(z−x)(z+x)} with z = x cut to 21 significant bits, so z²
 * is exact and the rounding of x² (an absolute error of x²·ε in the exponent, 6e-15 relative
 * at x = 8) does not enter. Negative arguments use erfc(−x) = 2 − erfc(x), erf(−x) = −erf(x).
 * {@code ErfTest} checks both functions against a BigDecimal reference. The CUDA kernels use
 * the device library's erfc (kernels/morse_math.cuh), compared with these in the host harness.
 */
public final class Erf {
    /** 2/√π. */
    static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    /** 1/√π. */
    static final double ONE_OVER_SQRT_PI = 0.5641895835477563;
    /** Below this |x| the Maclaurin series. */
    static final double SERIES_MAX = 0.5;
    /** Taylor centres cⱼ = TAYLOR_MIN + (j + ½)·STEP cover [TAYLOR_MIN, TAYLOR_MAX). */
    static final double TAYLOR_MIN = 0.5;
    static final double TAYLOR_MAX = 8.0;
    static final double STEP = 0.125;
    /** Taylor terms per centre: |h| ≤ 1/16 and |aₖ| ≲ 13·2⁻ᵏ (Cauchy, radius 2) make term 14 < 1e-17. */
    static final int TERMS = 15;
    /** Depth of the continued fraction for x ≥ TAYLOR_MAX (converged far below ε there). */
    static final int TAIL_DEPTH = 40;
    /** Depth of the continued fraction for the centres' a₀ (converged below ε from x = ½ on). */
    static final int CENTRE_DEPTH = 10_000;
    /** erfc(x) < 2⁻¹⁰⁷⁵ (rounds to 0) from here on. */
    static final double UNDERFLOW = 27.3;

    /** (−1)ⁿ/(n!(2n+1)), n = 0..13. */
    private static final double[] SERIES = new double[14];
    private static final int CENTRES = (int) Math.round((TAYLOR_MAX - TAYLOR_MIN) / STEP);
    /** Centre j's coefficients a₀..a_{TERMS−1} at [j·TERMS + k]. */
    private static final double[] TAYLOR = new double[CENTRES * TERMS];

    static {
        double fact = 1.0;
        for (int n = 0; n < SERIES.length; n++) {
            if (n > 0) {
                fact *= n;
            }
            SERIES[n] = (n % 2 == 0 ? 1.0 : -1.0) / (fact * (2 * n + 1));
        }
        for (int j = 0; j < CENTRES; j++) {
            double c = centre(j);
            int o = j * TERMS;
            TAYLOR[o] = continuedFraction(c, CENTRE_DEPTH);
            TAYLOR[o + 1] = 2.0 * c * TAYLOR[o] - TWO_OVER_SQRT_PI;
            for (int k = 1; k + 1 < TERMS; k++) {
                TAYLOR[o + k + 1] = (2.0 * c * TAYLOR[o + k] + 2.0 * TAYLOR[o + k - 1]) / (k + 1);
            }
        }
    }

    private Erf() {
    }

    private static double centre(int j) {
        return TAYLOR_MIN + (j + 0.5) * STEP;
    }

    /** erf(x). */
    public static double erf(double x) {
        double a = Math.abs(x);
        if (a < SERIES_MAX) {
            return series(x);
        }
        if (Double.isNaN(x)) {
            return x;
        }
        double v = 1.0 - erfcAtLeastHalf(a);
        return x > 0 ? v : -v;
    }

    /** erfc(x) = 1 − erf(x), without the cancellation for large x. */
    public static double erfc(double x) {
        double a = Math.abs(x);
        if (a < SERIES_MAX) {
            return 1.0 - series(x);
        }
        if (Double.isNaN(x)) {
            return x;
        }
        double c = erfcAtLeastHalf(a);
        return x > 0 ? c : 2.0 - c;
    }

    /** erf(x) for |x| &lt; ½ by the Maclaurin series. */
    private static double series(double x) {
        double x2 = x * x;
        double s = SERIES[SERIES.length - 1];
        for (int n = SERIES.length - 2; n >= 0; n--) {
            s = s * x2 + SERIES[n];
        }
        return TWO_OVER_SQRT_PI * (x * s);
    }

    /** erfc(a) for a ≥ ½ (or +∞). */
    private static double erfcAtLeastHalf(double a) {
        if (a >= UNDERFLOW) {
            return 0.0;
        }
        return expMinusSquare(a) * erfcx(a);
    }

    /** e^{−a²} without the rounding of a² (see the class comment). */
    static double expMinusSquare(double a) {
        double z = Double.longBitsToDouble(Double.doubleToRawLongBits(a) & 0xffffffff00000000L);
        return Math.exp(-z * z) * Math.exp((z - a) * (z + a));
    }

    /** erfcx(a) = e^{a²}erfc(a) for ½ ≤ a &lt; UNDERFLOW. */
    static double erfcx(double a) {
        if (a >= TAYLOR_MAX) {
            return continuedFraction(a, TAIL_DEPTH);
        }
        int j = Math.min(CENTRES - 1, (int) ((a - TAYLOR_MIN) / STEP));
        double h = a - centre(j);
        int o = j * TERMS;
        double s = TAYLOR[o + TERMS - 1];
        for (int k = TERMS - 2; k >= 0; k--) {
            s = s * h + TAYLOR[o + k];
        }
        return s;
    }

    /** erfcx(x) by Laplace's continued fraction, {@code depth} levels, bottom-up. */
    static double continuedFraction(double x, int depth) {
        double t = 0.0;
        for (int n = depth; n >= 1; n--) {
            t = (0.5 * n) / (x + t);
        }
        return ONE_OVER_SQRT_PI / (x + t);
    }
}
