package dev.morse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PcaTest {
    /**
     * Eigen-decompositions of well-separated 3x3 / 64x64 covariances from dsyevd are
     * accurate to a small multiple of eps·‖C‖ (‖C‖ ≤ 10 here).
     */
    private static final double EIG_TOL = 1e-12;

    /** Points mean + a·e1 + b·e2 + c·e3 over all sign combinations: covariance exactly Σ σᵢ² eᵢeᵢᵀ. */
    private static Dataset spread(double[] mean, double[][] axes, double[] halfWidths) {
        double[] x = new double[8 * 3];
        int k = 0;
        for (int sa = -1; sa <= 1; sa += 2) {
            for (int sb = -1; sb <= 1; sb += 2) {
                for (int sc = -1; sc <= 1; sc += 2) {
                    double[] s = {sa * halfWidths[0], sb * halfWidths[1], sc * halfWidths[2]};
                    for (int j = 0; j < 3; j++) {
                        x[k * 3 + j] = mean[j] + s[0] * axes[0][j] + s[1] * axes[1][j] + s[2] * axes[2][j];
                    }
                    k++;
                }
            }
        }
        return new Dataset(x, null, 8, 3, "8 points on known axes");
    }

    private static final double[] MEAN = {5, -2, 1};

    @Test
    void recoversKnownAxesVariancesAndCoordinates() {
        double[][] axes = {{0.8, 0.6, 0}, {-0.6, 0.8, 0}, {0, 0, 1}};
        Dataset data = spread(MEAN, axes, new double[] {3, 1, 0.5});
        Pca p = Pca.fit(data, 3);
        assertArrayEquals(MEAN, p.mean(), EIG_TOL);
        assertArrayEquals(new double[] {9, 1, 0.25}, p.variances(), EIG_TOL);
        assertEquals(10.25, p.totalVariance(), EIG_TOL);
        // sign convention: the largest-magnitude entry of each component is positive
        assertArrayEquals(new double[] {0.8, 0.6, 0, -0.6, 0.8, 0, 0, 0, 1}, p.components(), EIG_TOL);
        Dataset z = p.apply(data);
        for (int i = 0; i < 8; i++) {
            // the point's coordinates along the axes are (±3, ±1, ±0.5) in loop order
            assertEquals((i & 4) == 0 ? -3 : 3, z.get(i, 0), EIG_TOL);
            assertEquals((i & 2) == 0 ? -1 : 1, z.get(i, 1), EIG_TOL);
            assertEquals((i & 1) == 0 ? -0.5 : 0.5, z.get(i, 2), EIG_TOL);
        }
        Dataset two = Preprocess.pca(data, 2);
        assertEquals(2, two.d());
        assertTrue(two.description().contains("PCA to 2 of 3 dimensions"), two.description());
        assertTrue(two.description().contains(String.format(java.util.Locale.ROOT, "%.4f of the variance", 10 / 10.25)),
                two.description());
    }

    @Test
    void signConventionFlipsComponentsWhoseLargestEntryIsNegative() {
        // the dominant axis written with its largest entry negative: PCA must report its negation
        double[][] axes = {{0.6, 0, -0.8}, {0.8, 0, 0.6}, {0, 1, 0}};
        Dataset data = spread(MEAN, axes, new double[] {2, 1, 0.3});
        Pca p = Pca.fit(data, 3);
        assertArrayEquals(new double[] {4, 1, 0.09}, p.variances(), EIG_TOL);
        assertArrayEquals(new double[] {-0.6, 0, 0.8, 0.8, 0, 0.6, 0, 1, 0}, p.components(), EIG_TOL);
        // a new point mean + 2·(0.6, 0, -0.8) lies at -2 on the first (flipped) component
        Dataset one = new Dataset(new double[] {MEAN[0] + 1.2, MEAN[1], MEAN[2] - 1.6}, null, 1, 3, "one point");
        assertArrayEquals(new double[] {-2, 0, 0}, p.apply(one).features(), EIG_TOL);
    }

    @Test
    void fewerExamplesThanFeaturesLikeE7() {
        int n = 50;
        int d = 64;
        int k = 32;
        double[] x = new double[n * d];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble() * (1 + (i % d) / 8.0);
        }
        Dataset data = new Dataset(x, null, n, d, "random");
        Pca p = Pca.fit(data, k);
        double[] v = p.components();
        for (int a = 0; a < k; a++) {
            int arg = 0;
            for (int b = 0; b < k; b++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += v[a * d + j] * v[b * d + j];
                }
                assertEquals(a == b ? 1 : 0, dot, EIG_TOL, "orthonormal components " + a + "," + b);
            }
            for (int j = 1; j < d; j++) {
                arg = Math.abs(v[a * d + j]) > Math.abs(v[a * d + arg]) ? j : arg;
            }
            assertTrue(v[a * d + arg] > 0, "largest entry positive");
            if (a > 0) {
                assertTrue(p.variances()[a] <= p.variances()[a - 1], "descending");
            }
        }
        // projected coordinates: mean 0, variance = eigenvalue, uncorrelated
        Dataset z = p.apply(data);
        for (int a = 0; a < k; a++) {
            for (int b = 0; b <= a; b++) {
                double c = 0;
                double m = 0;
                for (int i = 0; i < n; i++) {
                    c += z.get(i, a) * z.get(i, b);
                    m += z.get(i, a);
                }
                assertEquals(0, m / n, EIG_TOL);
                assertEquals(a == b ? p.variances()[a] : 0, c / n, EIG_TOL, "cov(z" + a + ", z" + b + ")");
            }
        }
        Pca again = Pca.fit(data, k);
        assertArrayEquals(p.components(), again.components(), 0.0, "deterministic");
        assertArrayEquals(p.variances(), again.variances(), 0.0, "deterministic");
    }

    @Test
    void rejectsImpossibleDimensions() {
        Dataset data = spread(MEAN, new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, new double[] {1, 1, 1});
        DataException e = assertThrows(DataException.class, () -> Pca.fit(data, 4));
        assertTrue(e.getMessage().contains("PCA to 4 dimensions: expected 1..3"), e.getMessage());
        assertThrows(DataException.class, () -> Pca.fit(data, 0));
        Pca p = Pca.fit(data, 2);
        DataException e2 = assertThrows(DataException.class,
                () -> p.apply(new Dataset(new double[4], null, 1, 4, "wrong width")));
        assertTrue(e2.getMessage().contains("fitted on d = 3 features applied to data with d = 4"), e2.getMessage());
    }
}
