package dev.morse.optim;

import dev.morse.krylov.MinresQlp;

/**
 * One damped Newton candidate (thesis Alg 11, line 10): the minimum-norm solution p of
 * (H + γI)p = −g and the merit ‖g(θ + p)‖² it reaches.
 *
 * @param r   relative residual of p for the undamped system (Eq 3.36)
 * @param rH  relative co-kernel residual of p for the undamped system (Eq 3.37)
 */
public record Candidate(double gamma, double gradNormSqAfter, MinresQlp.Flag flag, int solverIterations,
                        double pNorm, double r, double rH) {
}
