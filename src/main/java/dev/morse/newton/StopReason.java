package dev.morse.newton;

/** Why a critical-point run ended. */
public enum StopReason {
    /** ‖g‖² fell below the floor. */
    GRAD_FLOOR,
    /** The step left θ unchanged (line search found no acceptable step, or p = 0). */
    THETA_UNCHANGED,
    /** The iteration cap was reached. */
    ITERATION_CAP,
    /** The loss or gradient at the current point is not finite. */
    NON_FINITE
}
