package dev.morse.optim;

/**
 * Why a run ended: a critical-point method's (newton) or an optimizer's (optim), one model
 * for both. A reason that needs words (an optimizer's failed line search) is its detail
 * ({@link Run#warnings()}), not another string to match.
 */
public enum StopReason {
    /** ‖g‖² fell below the floor. */
    GRAD_FLOOR,
    /** The step left θ unchanged (line search found no acceptable step, or p = 0), or the method could not go on. */
    THETA_UNCHANGED,
    /** The iteration cap was reached. */
    ITERATION_CAP,
    /** The loss or gradient at the current point is not finite. */
    NON_FINITE
}
