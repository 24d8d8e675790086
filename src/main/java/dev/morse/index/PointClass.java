package dev.morse.index;

/**
 * How a run ended (thesis §3.4.3): at a critical point (‖g‖² below a floor), at an
 * approximately gradient-flat point (r above a level and r_H below one at the last iterate),
 * or neither.
 */
public enum PointClass {
    CRITICAL,
    GRADIENT_FLAT,
    OTHER;

    /** The word a record's status uses: critical, gradient-flat, other. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The class whose {@link #key()} is {@code s}, or null (a failed run, or no status). */
    public static PointClass fromKey(String s) {
        for (PointClass c : values()) {
            if (c.key().equals(s)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Thresholds. Defaults: ‖g‖² < 1e-10 (thesis Table 3.1), r > 0.9 and r_H < 5e-4
     * (thesis §3.4.3).
     */
    public record Criteria(double criticalGradNormSq, double flatR, double flatRH) {
        public static Criteria defaults() {
            return new Criteria(1e-10, 0.9, 5e-4);
        }

        /**
         * As the papers' Figs 3.6-3.8 were computed (the authors' notebooks): critical when
         * ‖g‖² < 1e-8; flat when the r given is above 0.9 (there MINRES-QLP's relres), with no
         * condition on r_H.
         */
        public static Criteria figures() {
            return new Criteria(1e-8, 0.9, Double.POSITIVE_INFINITY);
        }
    }

    /** Classifies an end point from its squared gradient norm and last r, r_H (NaN: unknown). */
    public static PointClass classify(double gradNormSq, double r, double rH, Criteria c) {
        if (gradNormSq < c.criticalGradNormSq()) {
            return CRITICAL;
        }
        if (r > c.flatR() && rH < c.flatRH()) {
            return GRADIENT_FLAT;
        }
        return OTHER;
    }

    public static PointClass classify(double gradNormSq, double r, double rH) {
        return classify(gradNormSq, r, rH, Criteria.defaults());
    }

    /** The largest finite r of a run (NaN entries, e.g. iterations without a solve, are skipped). */
    public static double maxR(double[] rHistory) {
        double m = Double.NaN;
        for (double r : rHistory) {
            if (!Double.isNaN(r) && (Double.isNaN(m) || r > m)) {
                m = r;
            }
        }
        return m;
    }
}
