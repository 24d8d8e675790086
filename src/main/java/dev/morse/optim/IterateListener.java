package dev.morse.newton;

import dev.morse.ad.Linearization;

/**
 * Sees each iterate θ_t of a critical-point run (t = 0 is the start point) with the
 * linearization there, before the step from θ_t is computed. It may read the linearization
 * (value, gradient, HVPs, the dense Hessian) but must not evaluate the objective anywhere else:
 * that would make the solver's linearization stale (and the solver would throw).
 *
 * <p>What it is for: looking at the points a run passes, not only where it ends, e.g. the
 * loss and index at the first iterate below a gradient-norm cutoff (thesis Fig 3.3).
 */
@FunctionalInterface
public interface IterateListener {
    /** Sees nothing. */
    IterateListener NONE = (t, lin) -> {
    };

    void iterate(int t, Linearization lin);
}
