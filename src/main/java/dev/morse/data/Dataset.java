package dev.morse.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A data set: {@code n} examples of {@code d} features, row-major (example i is
 * {@code features[i*d .. i*d+d)}), optional integer labels (null for unlabelled data such
 * as autoencoder inputs), and a description of how it was made (source, then every
 * preprocessing step in order), which goes into the experiment records.
 *
 * <p>Immutable by contract: the arrays are shared, not copied (a copy of full MNIST is
 * 376 MB), and nothing in morse writes to them after construction. Every transformation
 * returns a new Dataset with new arrays. Equality compares the arrays' contents.
 */
public record Dataset(double[] features, int[] labels, int n, int d, String description) {

    public Dataset {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(description, "description");
        if (n < 0 || d < 0 || (long) n * d != features.length) {
            throw new IllegalArgumentException("dataset of n=" + n + " examples and d=" + d
                    + " features needs " + (long) n * d + " values, got " + features.length);
        }
        if (labels != null) {
            if (labels.length != n) {
                throw new IllegalArgumentException("dataset of n=" + n + " examples got "
                        + labels.length + " labels");
            }
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0) {
                    throw new IllegalArgumentException("label " + labels[i] + " of example " + i
                            + " is negative; labels are class indices 0, 1, ...");
                }
            }
        }
    }

    /** Feature j of example i. */
    public double get(int i, int j) {
        return features[i * d + j];
    }

    public boolean hasLabels() {
        return labels != null;
    }

    /** Number of classes a classifier needs: largest label + 1. */
    public int numClasses() {
        if (labels == null) {
            throw new DataException("data set '" + description + "' has no labels");
        }
        int max = -1;
        for (int y : labels) {
            max = Math.max(max, y);
        }
        return max + 1;
    }

    /** The same data, with {@code step} appended to the description. */
    Dataset derive(double[] newFeatures, int[] newLabels, int newN, int newD, String step) {
        return new Dataset(newFeatures, newLabels, newN, newD, description + "; " + step);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset other && n == other.n && d == other.d
                && Arrays.equals(features, other.features) && Arrays.equals(labels, other.labels)
                && description.equals(other.description);
    }

    @Override
    public int hashCode() {
        return Objects.hash(n, d, Arrays.hashCode(features), Arrays.hashCode(labels), description);
    }

    @Override
    public String toString() {
        return "Dataset[n=" + n + ", d=" + d + (labels == null ? ", unlabelled" : ", labelled")
                + ": " + description + "]";
    }
}
