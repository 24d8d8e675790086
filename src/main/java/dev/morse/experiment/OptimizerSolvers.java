package dev.morse.experiment;

import dev.morse.ad.Objective;
import dev.morse.newton.NewtonMr;
import dev.morse.optim.Iterate;
import dev.morse.optim.Run;

/**
 * The optimizers as methods of a batch: Levenberg-Marquardt exact Newton, BFGS, L-BFGS,
 * gradient descent and momentum. Since an optimizer does not solve the Newton system, the end
 * point's r and r_H come from one Newton-MR direction there (MINRES-QLP on H p = −g, thesis
 * Eq 3.36-3.37), put on the run's last row, so their end points are classified like the
 * critical-point methods'.
 */
final class OptimizerSolvers {
    private OptimizerSolvers() {
    }

    /** The optimizer as a solver of the batch; closing it closes {@code resource}. */
    static Solver solver(Objective objective, Solver.RunFunction optimizer, AutoCloseable resource) {
        // one MINRES-QLP solve at the end point, no step and no floor: its r, r_H, flag
        NewtonMr probe = new NewtonMr(objective, NewtonMr.Options.defaults().withMaxIterations(0)
                .withGradNormSqFloor(0.0));
        return Solver.of((theta0, listener) -> {
            Run run = optimizer.run(theta0, listener);
            Iterate at = probe.run(run.theta()).trace().get(0);
            return run.withLast(run.last().withDirection(at.flag(), at.solverIterations(), at.r(), at.rH()));
        }, () -> {
            probe.close();
            resource.close();
        });
    }
}
