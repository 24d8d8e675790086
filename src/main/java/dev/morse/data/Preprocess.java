package dev.morse.data;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Preprocessing steps. Each returns a new {@link Dataset} whose description gains one
 * clause saying what was done; inputs are never modified. Random steps take an explicit
 * seed and use {@link SplittableRandom} (SplitMix64: integer arithmetic only), so the same
 * seed gives the same data.
 */
public final class Preprocess {
    private Preprocess() {
    }

    // ---------------------------------------------------------------- images

    /**
     * Keeps the central outHeight×outWidth window of height×width images (row-major
     * pixels). With an odd margin the extra row/column is cut at the bottom/right.
     */
    public static Dataset centerCrop(Dataset ds, int height, int width, int outHeight, int outWidth) {
        checkImage(ds, height, width, "center crop");
        if (outHeight < 1 || outWidth < 1 || outHeight > height || outWidth > width) {
            throw new DataException("center crop " + height + "x" + width + " -> " + outHeight + "x"
                    + outWidth + ": expected an output size between 1x1 and " + height + "x" + width);
        }
        int top = (height - outHeight) / 2;
        int left = (width - outWidth) / 2;
        double[] y = perImage(ds, outHeight * outWidth, (x, in, out, o) -> {
            for (int r = 0; r < outHeight; r++) {
                System.arraycopy(x, in + (top + r) * width + left, out, o + r * outWidth, outWidth);
            }
        });
        return ds.derive(y, ds.labels(), ds.n(), outHeight * outWidth, "center crop " + height + "x" + width
                + " -> " + outHeight + "x" + outWidth + " (offset " + top + "," + left + ")");
    }

    /**
     * Resizes height×width images to outHeight×outWidth by averaging non-overlapping blocks
     * of (height/outHeight)×(width/outWidth) pixels (area interpolation at an integer
     * factor). The sizes must divide.
     */
    public static Dataset blockAverage(Dataset ds, int height, int width, int outHeight, int outWidth) {
        checkImage(ds, height, width, "block-average resize");
        if (outHeight < 1 || outWidth < 1 || height % outHeight != 0 || width % outWidth != 0) {
            throw new DataException("block-average resize " + height + "x" + width + " -> " + outHeight
                    + "x" + outWidth + ": expected an output size that divides the input ("
                    + height + " by " + outHeight + ", " + width + " by " + outWidth + ")");
        }
        int bh = height / outHeight;
        int bw = width / outWidth;
        double inv = 1.0 / (bh * bw);
        double[] y = perImage(ds, outHeight * outWidth, (x, in, out, o) -> {
            for (int r = 0; r < outHeight; r++) {
                for (int c = 0; c < outWidth; c++) {
                    double s = 0;
                    for (int a = 0; a < bh; a++) {
                        int row = in + (r * bh + a) * width + c * bw;
                        for (int b = 0; b < bw; b++) {
                            s += x[row + b];
                        }
                    }
                    out[o + r * outWidth + c] = s * inv;
                }
            }
        });
        return ds.derive(y, ds.labels(), ds.n(), outHeight * outWidth, "block-average resize " + height + "x"
                + width + " -> " + outHeight + "x" + outWidth + " (" + bh + "x" + bw + " blocks)");
    }

    /** An image step: the image at {@code x[in ...]} into {@code out[o ...]}. */
    @FunctionalInterface
    private interface ImageMap {
        void apply(double[] x, int in, double[] out, int o);
    }

    /** Each example's features mapped by {@code f} to {@code e} outputs. */
    private static double[] perImage(Dataset ds, int e, ImageMap f) {
        int n = ds.n();
        int d = ds.d();
        double[] x = ds.features();
        double[] y = new double[n * e];
        for (int i = 0; i < n; i++) {
            f.apply(x, i * d, y, i * e);
        }
        return y;
    }

    private static void checkImage(Dataset ds, int height, int width, String step) {
        if (height < 1 || width < 1 || (long) height * width != ds.d()) {
            throw new DataException(step + ": expected images of " + height + "x" + width + " = "
                    + (long) height * width + " features, found d = " + ds.d() + " (" + ds.description() + ")");
        }
    }

    // ---------------------------------------------------------------- per-feature statistics

    /**
     * Per-feature means, with one refinement pass (m ← m + mean(x − m)) so that a constant
     * feature gets exactly its value as mean and centres to exact zeros.
     */
    static double[] featureMeans(double[] x, int n, int d) {
        double[] m = new double[d];
        if (n == 0) {
            return m;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                m[j] += x[i * d + j];
            }
        }
        double[] r = new double[d];
        for (int j = 0; j < d; j++) {
            m[j] /= n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                r[j] += x[i * d + j] - m[j];
            }
        }
        for (int j = 0; j < d; j++) {
            m[j] += r[j] / n;
        }
        return m;
    }

    static double[] centered(double[] x, int n, int d, double[] mean) {
        double[] y = new double[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                y[i * d + j] = x[i * d + j] - mean[j];
            }
        }
        return y;
    }

    /** Subtracts each feature's mean (see {@link #featureMeans}). */
    public static Dataset center(Dataset ds) {
        double[] mean = featureMeans(ds.features(), ds.n(), ds.d());
        return ds.derive(centered(ds.features(), ds.n(), ds.d(), mean), ds.labels(), ds.n(), ds.d(),
                "each feature mean-centered");
    }

    /**
     * Per-feature z-score: (x − mean) / std with the population std (divide by n). A feature
     * with zero variance (constant) is left centered, i.e. all zeros, and not scaled; the
     * description says how many there were.
     */
    public static Dataset zScore(Dataset ds) {
        int n = ds.n();
        int d = ds.d();
        if (n == 0) {
            throw new DataException("z-score: the data set is empty (" + ds.description() + ")");
        }
        double[] y = centered(ds.features(), n, d, featureMeans(ds.features(), n, d));
        double[] var = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double v = y[i * d + j];
                var[j] += v * v;
            }
        }
        double[] inv = new double[d];
        int constant = 0;
        for (int j = 0; j < d; j++) {
            double std = Math.sqrt(var[j] / n);
            if (std == 0) {
                constant++;
                inv[j] = 1;
            } else {
                inv[j] = 1 / std;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                y[i * d + j] *= inv[j];
            }
        }
        return ds.derive(y, ds.labels(), n, d, "z-score per feature (population std)"
                + (constant == 0 ? "" : "; " + constant + " of " + d
                + " features have zero variance: left centered, not scaled"));
    }

    /** PCA to k dimensions; see {@link Pca}. */
    public static Dataset pca(Dataset ds, int k) {
        return Pca.fit(ds, k).apply(ds);
    }

    // ---------------------------------------------------------------- selecting examples and labels

    /** The examples whose label is one of {@code classes}, in their original order; labels unchanged. */
    public static Dataset classSubset(Dataset ds, int... classes) {
        int[] y = requireLabels(ds, "class subset");
        if (classes.length == 0) {
            throw new DataException("class subset: expected at least one class");
        }
        BitSet keep = new BitSet();
        for (int c : classes) {
            if (c < 0) {
                throw new DataException("class subset: class " + c + " is negative; expected labels 0, 1, ...");
            }
            keep.set(c);
        }
        int[] counts = new int[Math.max(keep.length(), 1)];
        int m = 0;
        for (int label : y) {
            if (keep.get(label)) {
                counts[label]++;
                m++;
            }
        }
        for (int c = keep.nextSetBit(0); c >= 0; c = keep.nextSetBit(c + 1)) {
            if (counts[c] == 0) {
                throw new DataException("class subset: class " + c + " has no examples in "
                        + ds.description());
            }
        }
        int[] rows = new int[m];
        for (int i = 0, k = 0; i < y.length; i++) {
            if (keep.get(y[i])) {
                rows[k++] = i;
            }
        }
        int[] sorted = keep.stream().toArray();
        return rows(ds, rows, "classes " + Arrays.toString(sorted) + " only (" + m + " examples)");
    }

    /**
     * Renumbers the labels that occur as 0, 1, ..., k−1 in increasing order (after a class
     * subset such as {3, 8}, a k-way classifier needs labels 0..k−1).
     */
    public static Dataset relabel(Dataset ds) {
        int[] y = requireLabels(ds, "relabel");
        int[] present = Arrays.stream(y).distinct().sorted().toArray();
        int[] map = new int[present.length == 0 ? 0 : present[present.length - 1] + 1];
        for (int k = 0; k < present.length; k++) {
            map[present[k]] = k;
        }
        int[] z = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            z[i] = map[y[i]];
        }
        return ds.derive(ds.features(), z, ds.n(), ds.d(), "labels " + Arrays.toString(present)
                + " renumbered 0.." + (present.length - 1));
    }

    /**
     * m examples drawn without replacement (partial Fisher-Yates, seeded), kept in their
     * original order: only membership is random.
     */
    public static Dataset randomSubset(Dataset ds, int m, long seed) {
        int n = ds.n();
        if (m < 0 || m > n) {
            throw new DataException("random subset: asked for " + m + " examples, expected 0.." + n
                    + " (" + ds.description() + ")");
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < m; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] rows = Arrays.copyOf(idx, m);
        Arrays.sort(rows);
        return rows(ds, rows, "random subset of " + m + " of " + n + " examples (seed " + seed + ")");
    }

    /**
     * Labels permuted among the examples (Fisher-Yates, seeded): the class counts stay,
     * the link between an example and its label is broken (random-label experiments, E7).
     */
    public static Dataset shuffleLabels(Dataset ds, long seed) {
        int[] y = requireLabels(ds, "label shuffle").clone();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = y.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = y[i];
            y[i] = y[j];
            y[j] = t;
        }
        return ds.derive(ds.features(), y, ds.n(), ds.d(), "labels shuffled (seed " + seed + ")");
    }

    private static int[] requireLabels(Dataset ds, String step) {
        if (ds.labels() == null) {
            throw new DataException(step + ": expected labelled data, found none in " + ds.description());
        }
        return ds.labels();
    }

    /** The given rows, in the given order. */
    static Dataset rows(Dataset ds, int[] rows, String step) {
        int d = ds.d();
        double[] x = ds.features();
        double[] y = new double[rows.length * d];
        int[] labels = ds.labels() == null ? null : new int[rows.length];
        for (int k = 0; k < rows.length; k++) {
            System.arraycopy(x, rows[k] * d, y, k * d, d);
            if (labels != null) {
                labels[k] = ds.labels()[rows[k]];
            }
        }
        return ds.derive(y, labels, rows.length, d, step);
    }
}
