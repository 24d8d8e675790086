package dev.morse.experiment;

/**
 * The critical-point methods and optimizers a spec names in {@code methods[i].kind}; the spec
 * word is the constant's name in lower case with '-' for '_' ({@code NEWTON_MR}: newton-mr).
 * {@link MethodOptions#parse} turns a method's keys into the solver's typed options.
 */
public enum MethodKind {
    /** Newton-MR (thesis Alg 13). */
    NEWTON_MR,
    /** Minimum-residual damped Newton (Alg 11). */
    DAMPED_NEWTON,
    /** Gradient-norm minimization (Alg 2). */
    GNM,
    /** Levenberg-Marquardt exact Newton. */
    LEVENBERG_MARQUARDT,
    BFGS,
    LBFGS,
    /** Gradient descent. */
    GD,
    /** Gradient descent with heavy-ball momentum. */
    MOMENTUM;

    /** The spec word. */
    public String key() {
        return SpecNode.word(this);
    }
}
