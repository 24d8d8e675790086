package dev.morse.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GaussianTest {
    /**
     * Sampling tolerances: 5 standard errors. For n = 10000 Gaussian samples the sample
     * variance has relative standard error sqrt(2/n) = 0.0141 and a sample correlation of
     * independent features has standard error 1/sqrt(n) = 0.01.
     */
    private static final double SIGMAS = 5;
    /** Centering leaves column means at rounding level: n·eps·max|x| ≈ 1e4·2.2e-16·20. */
    private static final double CENTER_TOL = 1e-10;

    @Test
    void e1CovarianceIsDiagOneToSixteen() {
        Dataset g = Gaussian.e1(2024);
        int n = g.n();
        int d = g.d();
        assertEquals(10000, n);
        assertEquals(16, d);
        assertNull(g.labels());
        assertTrue(g.description().contains("Gaussian N(0, diag(1, 2, ..., 16)), n = 10000, seed 2024; each feature mean-centered"),
                g.description());
        double[][] cov = new double[d][d];
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                mean[a] += g.get(i, a);
                for (int b = 0; b < d; b++) {
                    cov[a][b] += g.get(i, a) * g.get(i, b);
                }
            }
        }
        double varRelTol = SIGMAS * Math.sqrt(2.0 / n);
        double corrTol = SIGMAS / Math.sqrt(n);
        for (int a = 0; a < d; a++) {
            assertEquals(0.0, mean[a] / n, CENTER_TOL, "feature " + a + " centered");
            double expected = a + 1;
            assertEquals(expected, cov[a][a] / n, varRelTol * expected, "variance of feature " + a);
            for (int b = 0; b < a; b++) {
                double corr = cov[a][b] / Math.sqrt(cov[a][a] * cov[b][b]);
                assertEquals(0.0, corr, corrTol, "correlation " + a + "," + b);
            }
        }
    }

    @Test
    void sameSeedSameDataOtherSeedOtherData() {
        Dataset a = Gaussian.e1(7);
        assertEquals(a, Gaussian.e1(7));
        assertFalse(Arrays.equals(a.features(), Gaussian.e1(8).features()));
    }

    @Test
    void polarMethodGivesStandardNormals() {
        // P(|Z| < 1) = erf(1/sqrt 2) = 0.682689...; binomial standard error sqrt(p(1-p)/N)
        int count = 100_000;
        double[] z = new double[count];
        Gaussian.normals(new SplittableRandom(1), z);
        int inside = 0;
        double m4 = 0;
        for (double v : z) {
            inside += Math.abs(v) < 1 ? 1 : 0;
            m4 += v * v * v * v;
        }
        double p = 0.6826894921370859;
        assertEquals(p, inside / (double) count, SIGMAS * Math.sqrt(p * (1 - p) / count));
        // E Z^4 = 3, Var Z^4 = 105 - 9 = 96
        assertEquals(3.0, m4 / count, SIGMAS * Math.sqrt(96.0 / count));
    }

    @Test
    void zeroVarianceFeatureIsExactlyZeroAndBadVariancesAreRejected() {
        Dataset g = Gaussian.diagonal(100, new double[] {0, 4}, 1);
        for (int i = 0; i < 100; i++) {
            assertEquals(0.0, g.get(i, 0), 0.0);
        }
        assertTrue(g.description().contains("diag(0, 4)"), g.description());
        DataException e = assertThrows(DataException.class, () -> Gaussian.diagonal(10, new double[] {1, -1}, 1));
        assertTrue(e.getMessage().contains("variance 1 is -1.0"), e.getMessage());
        assertThrows(DataException.class, () -> Gaussian.diagonal(10, new double[] {Double.NaN}, 1));
        assertThrows(DataException.class, () -> Gaussian.diagonal(0, new double[] {1}, 1));
    }
}
