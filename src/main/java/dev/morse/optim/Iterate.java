package dev.morse.optim;

import dev.morse.krylov.MinresQlp;
import java.util.List;

/**
 * One row of a run's trace: the iterate θ_t and the step taken from it. Quantities of a
 * step not taken (the last row, or a method without a linear solve) are NaN / null / 0.
 *
 * @param t                iteration index (θ_0 is the start point)
 * @param loss             L(θ_t)
 * @param gradNormSq       ‖∇L(θ_t)‖²
 * @param alpha            accepted step size (0: no acceptable step; NaN: no step attempted)
 * @param flag             MINRES-QLP flag of the Newton direction at θ_t (null if none)
 * @param solverIterations MINRES-QLP iterations
 * @param r                relative residual of the direction (Eq 3.36), NaN if none
 * @param rH               relative co-kernel residual (Eq 3.37), NaN if none
 * @param gamma            damping chosen (damped Newton), NaN otherwise
 * @param candidates       damped Newton candidates at this iterate (empty otherwise)
 * @param seconds          wall time since the run started, at the end of this row's work
 * @param hvps             Hessian-vector products so far (an assembled Hessian counts N)
 * @param gradients        gradient evaluations (linearizations) so far
 * @param relres           MINRES-QLP's relres of the direction, ‖Hp + g‖ / (Anorm‖p‖ + ‖g‖) with
 *                         its own ‖H‖ estimate Anorm (the r the papers' figures plot), NaN if none
 */
public record Iterate(int t, double loss, double gradNormSq, double alpha, MinresQlp.Flag flag,
                      int solverIterations, double r, double rH, double gamma, List<Candidate> candidates,
                      double seconds, long hvps, long gradients, double relres) {
    public Iterate {
        candidates = List.copyOf(candidates);
    }

    /** A row without a solver relres (methods without a MINRES-QLP solve). */
    public Iterate(int t, double loss, double gradNormSq, double alpha, MinresQlp.Flag flag, int solverIterations,
                   double r, double rH, double gamma, List<Candidate> candidates, double seconds, long hvps,
                   long gradients) {
        this(t, loss, gradNormSq, alpha, flag, solverIterations, r, rH, gamma, candidates, seconds, hvps, gradients,
                Double.NaN);
    }

    /** This row with the Newton direction at θ_t: its MINRES-QLP flag and iterations, r and r_H. */
    public Iterate withDirection(MinresQlp.Flag flag, int solverIterations, double r, double rH) {
        return new Iterate(t, loss, gradNormSq, alpha, flag, solverIterations, r, rH, gamma, candidates, seconds, hvps,
                gradients, relres);
    }
}
