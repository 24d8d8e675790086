package dev.morse.index;

/**
 * ‖H‖_F, exact or estimated. An estimate is Hutchinson's: ‖H‖²_F = E‖Hz‖² for Rademacher z,
 * averaged over {@code probes} seeded probes; the relative standard deviation of the squared
 * estimate is at most √(2/probes) (it is 0 for a multiple of the identity).
 *
 * @param value   ‖H‖_F (or its estimate)
 * @param exact   true when computed from the assembled Hessian
 * @param probes  number of probes (0 when exact)
 * @param seed    probe seed (0 when exact)
 */
public record FrobeniusNorm(double value, boolean exact, int probes, long seed) {
    public static FrobeniusNorm exact(double value) {
        return new FrobeniusNorm(value, true, 0, 0);
    }

    /** Bound on the relative standard deviation of value² (0 when exact). */
    public double relativeStdBound() {
        return exact ? 0.0 : Math.sqrt(2.0 / probes);
    }

    @Override
    public String toString() {
        return exact ? String.format("‖H‖_F = %.6g (exact)", value)
                : String.format("‖H‖_F ≈ %.6g (Hutchinson, %d Rademacher probes, seed %d, rel. std of ‖H‖²_F ≤ %.2f)",
                        value, probes, seed, relativeStdBound());
    }
}
