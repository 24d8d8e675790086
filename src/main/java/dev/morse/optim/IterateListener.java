package dev.morse.optim;

import dev.morse.ad.Linearization;

/**
 * Sees each iterate θ_t of a run (t = 0 is the start point) with the linearization there
 * ({@link Linearization#theta()} is θ_t): a critical-point method shows it before the step from
 * θ_t is computed, an optimizer as soon as it has reached θ_t. It may read the linearization
 * (value, gradient, θ, HVPs, the dense Hessian) but must not evaluate the objective anywhere
 * else: that would make the solver's linearization stale (and the solver would throw).
 *
 * <p>What it is for: looking at the points a run passes, not only where it ends, e.g. the
 * loss and index at the first iterate below a gradient-norm cutoff (thesis Fig 3.3), or the
 * path θ_0, θ_1, … of a two-parameter problem.
 */
@FunctionalInterface
public interface IterateListener {
    /** Sees nothing. */
    IterateListener NONE = (t, lin) -> {
    };

    void iterate(int t, Linearization lin);

    /** This listener, then {@code next}. */
    default IterateListener andThen(IterateListener next) {
        return (t, lin) -> {
            iterate(t, lin);
            next.iterate(t, lin);
        };
    }
}
