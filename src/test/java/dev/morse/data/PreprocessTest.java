package dev.morse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PreprocessTest {
    /** Hand-computed values go through a few float64 operations: a few ulps of values ≤ 20. */
    private static final double EXACT_TOL = 1e-14;
    /** Mean and variance of z-scored data: sums of 500 terms of size ~1, rounding ~n·eps. */
    private static final double ZSCORE_TOL = 1e-12;

    private static Dataset ds(int n, int d, int[] labels, double... x) {
        return new Dataset(x, labels, n, d, "test data");
    }

    /** One 'image' of h×w with pixel (r, c) = 10r + c, and a second one negated. */
    private static Dataset ramp(int h, int w) {
        double[] x = new double[2 * h * w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                x[r * w + c] = 10 * r + c;
                x[h * w + r * w + c] = -(10 * r + c);
            }
        }
        return ds(2, h * w, new int[] {3, 4}, x);
    }

    private static void contains(String s, String... fragments) {
        for (String f : fragments) {
            assertTrue(s.contains(f), "'" + f + "' in: " + s);
        }
    }

    @Test
    void centerCropKeepsTheCentralWindow() {
        Dataset c = Preprocess.centerCrop(ramp(6, 6), 6, 6, 4, 4);
        assertEquals(16, c.d());
        assertArrayEquals(new double[] {
            11, 12, 13, 14, 21, 22, 23, 24, 31, 32, 33, 34, 41, 42, 43, 44,
            -11, -12, -13, -14, -21, -22, -23, -24, -31, -32, -33, -34, -41, -42, -43, -44}, c.features(), 0.0);
        assertArrayEquals(new int[] {3, 4}, c.labels());
        contains(c.description(), "test data; center crop 6x6 -> 4x4 (offset 1,1)");
        // odd margins (5 - 2 = 3 rows, 4 - 1 = 3 cols): the extra row/column goes at the bottom/right
        Dataset odd = Preprocess.centerCrop(ramp(5, 4), 5, 4, 2, 1);
        assertArrayEquals(new double[] {11, 21, -11, -21}, odd.features(), 0.0);
    }

    @Test
    void centerCropRejectsImpossibleSizes() {
        DataException e = assertThrows(DataException.class, () -> Preprocess.centerCrop(ramp(6, 6), 28, 28, 20, 20));
        contains(e.getMessage(), "expected images of 28x28 = 784 features, found d = 36");
        DataException e2 = assertThrows(DataException.class, () -> Preprocess.centerCrop(ramp(6, 6), 6, 6, 7, 2));
        contains(e2.getMessage(), "6x6 -> 7x2", "between 1x1 and 6x6");
    }

    @Test
    void blockAverageAveragesBlocks() {
        double[] x = new double[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i;
        }
        Dataset b = Preprocess.blockAverage(ds(1, 16, null, x), 4, 4, 2, 2);
        // blocks {0,1,4,5}, {2,3,6,7}, {8,9,12,13}, {10,11,14,15}
        assertArrayEquals(new double[] {2.5, 4.5, 10.5, 12.5}, b.features(), EXACT_TOL);
        contains(b.description(), "block-average resize 4x4 -> 2x2 (2x2 blocks)");
        // non-square: 2x6 -> 1x2 averages 2x3 blocks
        Dataset r = Preprocess.blockAverage(ds(1, 12, null, 1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60), 2, 6, 1, 2);
        assertArrayEquals(new double[] {(1 + 2 + 3 + 4 + 5 + 6) / 6.0, (10 + 20 + 30 + 40 + 50 + 60) / 6.0},
                r.features(), EXACT_TOL);
        assertNull(r.labels());
    }

    @Test
    void blockAverageNeedsDivisibleSizes() {
        Dataset img = ds(1, 400, null, new double[400]);
        DataException e = assertThrows(DataException.class, () -> Preprocess.blockAverage(img, 20, 20, 3, 3));
        contains(e.getMessage(), "20x20 -> 3x3", "divides the input");
    }

    @Test
    void mnistShapedPipelineCropsThenAverages() {
        // one lit pixel at (4, 4), the top-left corner of the 20x20 crop, and one at (3, 3), outside it
        double[] x = new double[784];
        x[4 * 28 + 4] = 25;
        x[3 * 28 + 3] = 1000;
        Dataset small = Preprocess.blockAverage(Preprocess.centerCrop(ds(1, 784, new int[] {7}, x), 28, 28, 20, 20),
                20, 20, 4, 4);
        double[] expected = new double[16];
        expected[0] = 25.0 / 25; // one pixel of a 5x5 block
        assertArrayEquals(expected, small.features(), EXACT_TOL);
        contains(small.description(), "center crop 28x28 -> 20x20 (offset 4,4); block-average resize 20x20 -> 4x4 (5x5 blocks)");
    }

    @Test
    void zScoreMatchesHandValuesAndLeavesConstantFeaturesCentered() {
        // columns: [1,2,3,4] (mean 2.5, var 1.25), constant 0.1, [10,10,10,14] (mean 11, var 3)
        Dataset z = Preprocess.zScore(ds(4, 3, null,
                1, 0.1, 10,
                2, 0.1, 10,
                3, 0.1, 10,
                4, 0.1, 14));
        double s0 = Math.sqrt(1.25);
        double s2 = Math.sqrt(3.0);
        assertArrayEquals(new double[] {
            -1.5 / s0, 0, -1 / s2,
            -0.5 / s0, 0, -1 / s2,
            0.5 / s0, 0, -1 / s2,
            1.5 / s0, 0, 3 / s2}, z.features(), EXACT_TOL);
        contains(z.description(), "z-score per feature (population std); 1 of 3 features have zero variance: left centered");
    }

    @Test
    void constantFeatureCentersToExactZerosEvenWhereTheNaiveMeanIsInexact() {
        // the plain sum of 10000 copies of 0.1, divided by 10000, is not 0.1 (off by ~1.6e-14)
        int n = 10000;
        double[] x = new double[2 * n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = 0.1;
            x[2 * i + 1] = i % 2;
        }
        Dataset z = Preprocess.zScore(ds(n, 2, null, x));
        for (int i = 0; i < n; i++) {
            assertEquals(0.0, z.get(i, 0), 0.0);
            assertEquals(i % 2 == 0 ? -1.0 : 1.0, z.get(i, 1), EXACT_TOL);
        }
    }

    @Test
    void zScoredFeaturesHaveMeanZeroAndUnitVariance() {
        int n = 500;
        int d = 4;
        double[] x = new double[n * d];
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = 100 + 7 * (i % d) * rng.nextDouble();
        }
        double[] before = x.clone();
        Dataset z = Preprocess.zScore(ds(n, d, null, x));
        assertArrayEquals(before, x, 0.0, "input untouched");
        for (int j = 0; j < d; j++) {
            double m = 0;
            double v = 0;
            for (int i = 0; i < n; i++) {
                m += z.get(i, j);
                v += z.get(i, j) * z.get(i, j);
            }
            assertEquals(0.0, m / n, ZSCORE_TOL);
            assertEquals(j == 0 ? 0.0 : 1.0, v / n, ZSCORE_TOL, "feature 0 is constant (x = 100)");
        }
    }

    @Test
    void classSubsetKeepsRequestedClassesInOrder() {
        Dataset all = ds(6, 1, new int[] {0, 1, 2, 1, 0, 3}, 10, 11, 12, 13, 14, 15);
        Dataset s = Preprocess.classSubset(all, 1, 0);
        assertArrayEquals(new double[] {10, 11, 13, 14}, s.features(), 0.0);
        assertArrayEquals(new int[] {0, 1, 1, 0}, s.labels());
        contains(s.description(), "classes [0, 1] only (4 examples)");
        DataException e = assertThrows(DataException.class, () -> Preprocess.classSubset(all, 0, 7));
        contains(e.getMessage(), "class 7 has no examples");
        DataException e2 = assertThrows(DataException.class,
                () -> Preprocess.classSubset(ds(1, 1, null, 1.0), 0));
        contains(e2.getMessage(), "expected labelled data");
    }

    @Test
    void relabelNumbersThePresentClasses() {
        Dataset r = Preprocess.relabel(ds(4, 1, new int[] {3, 8, 8, 3}, 1, 2, 3, 4));
        assertArrayEquals(new int[] {0, 1, 1, 0}, r.labels());
        contains(r.description(), "labels [3, 8] renumbered 0..1");
    }

    /** 100 examples with x_i = i and label i mod 10, so rows can be traced. */
    private static Dataset indexed() {
        double[] x = new double[100];
        int[] y = new int[100];
        for (int i = 0; i < 100; i++) {
            x[i] = i;
            y[i] = i % 10;
        }
        return ds(100, 1, y, x);
    }

    @Test
    void randomSubsetIsSeededDistinctAndOrdered() {
        Dataset all = indexed();
        Dataset a = Preprocess.randomSubset(all, 30, 7);
        assertEquals(30, a.n());
        for (int k = 0; k < 30; k++) {
            int row = (int) a.features()[k];
            assertEquals(row % 10, a.labels()[k], "labels travel with their rows");
            if (k > 0) {
                assertTrue(a.features()[k] > a.features()[k - 1], "distinct and in original order");
            }
        }
        assertEquals(a, Preprocess.randomSubset(all, 30, 7), "same seed, same subset");
        assertNotEquals(Arrays.toString(a.features()),
                Arrays.toString(Preprocess.randomSubset(all, 30, 8).features()), "another seed, another subset");
        assertArrayEquals(all.features(), Preprocess.randomSubset(all, 100, 3).features(), 0.0);
        contains(a.description(), "random subset of 30 of 100 examples (seed 7)");
        DataException e = assertThrows(DataException.class, () -> Preprocess.randomSubset(all, 101, 1));
        contains(e.getMessage(), "asked for 101 examples, expected 0..100");
    }

    @Test
    void shuffleLabelsPermutesLabelsOnly() {
        Dataset all = indexed();
        Dataset s = Preprocess.shuffleLabels(all, 5);
        assertSame(all.features(), s.features(), "features are shared, not copied");
        int[] sorted = s.labels().clone();
        Arrays.sort(sorted);
        int[] expected = all.labels().clone();
        Arrays.sort(expected);
        assertArrayEquals(expected, sorted, "same class counts");
        int moved = 0;
        for (int i = 0; i < 100; i++) {
            moved += s.labels()[i] != all.labels()[i] ? 1 : 0;
        }
        // a uniform permutation of 100 labels (10 per class) keeps ~10 in place; 50 is far below chance
        assertTrue(moved > 50, moved + " labels changed");
        assertEquals(s, Preprocess.shuffleLabels(all, 5));
        assertFalse(Arrays.equals(s.labels(), Preprocess.shuffleLabels(all, 6).labels()));
        assertArrayEquals(indexed().labels(), all.labels(), "input untouched");
        contains(s.description(), "labels shuffled (seed 5)");
    }

    @Test
    void datasetValidatesItsShape() {
        assertThrows(IllegalArgumentException.class, () -> ds(2, 3, null, 1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> ds(1, 1, new int[] {0, 1}, 1));
        assertThrows(IllegalArgumentException.class, () -> ds(1, 1, new int[] {-1}, 1));
        assertEquals(4, ds(2, 1, new int[] {3, 0}, 1, 2).numClasses());
    }
}
