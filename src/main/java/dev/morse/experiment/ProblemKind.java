package dev.morse.experiment;

/**
 * What a spec's {@code problem.kind} names; the spec word is the constant's name in lower
 * case with '-' for '_' ({@code DEEP_LINEAR_AUTOENCODER}: deep-linear-autoencoder).
 */
public enum ProblemKind {
    /** A multilayer perceptron on data (MNIST or Gaussian). */
    MLP,
    /** The deep linear autoencoder, with its analytic critical points. */
    DEEP_LINEAR_AUTOENCODER,
    /** The quartic of thesis Eq 3.35. */
    QUARTIC,
    /** A 1-D MLP regressing 2 sin(4πx). */
    SINE_REGRESSION,
    /** A user's {@link dev.morse.problems.CustomProblem} class. */
    JAVA;

    /** The spec word. */
    public String key() {
        return SpecNode.word(this);
    }
}
