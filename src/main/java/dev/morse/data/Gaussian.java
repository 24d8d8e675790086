package dev.morse.data;

import java.util.SplittableRandom;

/**
 * Gaussian data with a diagonal covariance, as in experiment E1 (thesis §3.2): n samples
 * in R^d from N(0, diag(σ₁², …, σ_d²)), then each feature mean-centered exactly (so the
 * deep linear autoencoder's analytic critical points are those of XXᵀ).
 *
 * <p>Normal deviates come from Marsaglia's polar method on {@link SplittableRandom}
 * uniforms and {@link StrictMath#log}, rather than {@code RandomGenerator.nextGaussian()},
 * whose algorithm is the JDK's choice: the data depend only on the seed and this code.
 */
public final class Gaussian {
    /** E1 sizes: n = 10000 samples in R^16, variances 1, 2, ..., 16. */
    public static final int E1_N = 10000;
    public static final int E1_D = 16;

    private Gaussian() {
    }

    /** E1's data: {@link #E1_N} samples from N(0, diag(1, 2, ..., 16)), centered. */
    public static Dataset e1(long seed) {
        double[] variances = new double[E1_D];
        for (int j = 0; j < E1_D; j++) {
            variances[j] = j + 1;
        }
        return diagonal(E1_N, variances, seed);
    }

    /** n samples from N(0, diag(variances)), each feature then mean-centered; unlabelled. */
    public static Dataset diagonal(int n, double[] variances, long seed) {
        int d = variances.length;
        if (n < 1 || d < 1) {
            throw new DataException("Gaussian data: expected n >= 1 samples and d >= 1 features, found n = "
                    + n + ", d = " + d);
        }
        double[] sd = new double[d];
        for (int j = 0; j < d; j++) {
            if (!(variances[j] >= 0) || Double.isInfinite(variances[j])) {
                throw new DataException("Gaussian data: variance " + j + " is " + variances[j]
                        + ", expected a finite value >= 0");
            }
            sd[j] = Math.sqrt(variances[j]);
        }
        double[] x = new double[n * d];
        normals(new SplittableRandom(seed), x);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] *= sd[j];
            }
        }
        x = Preprocess.centered(x, n, d, Preprocess.featureMeans(x, n, d));
        return new Dataset(x, null, n, d, "Gaussian N(0, diag(" + describe(variances) + ")), n = " + n
                + ", seed " + seed + "; each feature mean-centered");
    }

    /** Fills {@code out} with standard normal deviates (Marsaglia polar method, both of each pair). */
    static void normals(SplittableRandom rng, double[] out) {
        int i = 0;
        while (i < out.length) {
            double u;
            double v;
            double s;
            do {
                u = 2 * rng.nextDouble() - 1;
                v = 2 * rng.nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double f = Math.sqrt(-2 * StrictMath.log(s) / s); // StrictMath: bit-identical on every JVM
            out[i++] = u * f;
            if (i < out.length) {
                out[i++] = v * f;
            }
        }
    }

    /** "1, 2, ..., 16" for 1..d, else the list. */
    private static String describe(double[] v) {
        boolean ramp = v.length >= 4;
        for (int j = 0; j < v.length && ramp; j++) {
            ramp = v[j] == j + 1;
        }
        if (ramp) {
            return "1, 2, ..., " + v.length;
        }
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < v.length; j++) {
            sb.append(j == 0 ? "" : ", ").append(v[j] == Math.rint(v[j]) ? String.valueOf((long) v[j]) : String.valueOf(v[j]));
        }
        return sb.toString();
    }
}
