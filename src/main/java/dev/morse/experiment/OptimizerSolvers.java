package dev.morse.experiment;

import dev.morse.ad.Objective;
import dev.morse.newton.Iterate;
import dev.morse.newton.NewtonMr;
import dev.morse.newton.Run;
import dev.morse.optim.IterateListener;
import dev.morse.optim.StopReason;
import dev.morse.optim.Trajectory;
import dev.morse.optim.TrajectoryPoint;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimizers as methods of a batch: Levenberg-Marquardt exact Newton, BFGS, L-BFGS,
 * gradient descent and momentum. Their trajectories become runs; since an optimizer does not
 * solve the Newton system, the end point's r and r_H come from one Newton-MR direction there
 * (MINRES-QLP on H p = −g, thesis Eq 3.36-3.37), so their end points are classified like the
 * critical-point methods'.
 */
final class OptimizerSolvers {
    private OptimizerSolvers() {
    }

    /** An optimizer's run whose iterates a listener sees. */
    @FunctionalInterface
    interface Optimizer {
        Trajectory run(double[] theta0, IterateListener listener);
    }

    /** The optimizer as a solver of the batch; closing it closes {@code resource}. */
    static Solver solver(Objective objective, Optimizer optimizer, AutoCloseable resource) {
        // one MINRES-QLP solve at the end point, no step and no floor: its r, r_H, flag
        NewtonMr probe = new NewtonMr(objective, NewtonMr.Options.defaults().withMaxIterations(0)
                .withGradNormSqFloor(0.0));
        return Solver.of((theta0, listener) -> {
            Trajectory t = optimizer.run(theta0, listener);
            Iterate at = probe.run(t.finalTheta()).trace().get(0);
            List<Iterate> rows = new ArrayList<>();
            List<TrajectoryPoint> pts = t.points();
            for (int i = 0; i < pts.size(); i++) {
                TrajectoryPoint p = pts.get(i);
                boolean last = i == pts.size() - 1;
                rows.add(new Iterate(p.iteration(), p.loss(), p.gradNormSq(), Double.NaN, last ? at.flag() : null,
                        last ? at.solverIterations() : 0, last ? at.r() : Double.NaN, last ? at.rH() : Double.NaN,
                        Double.NaN, List.of(), last ? t.seconds() : Double.NaN, 0, 0));
            }
            StopReason stop = t.stop();
            List<String> warnings = stop == StopReason.ITERATION_CAP || stop == StopReason.GRAD_FLOOR ? List.of()
                    : List.of(t.method() + " stopped: " + (t.stopDetail() != null ? t.stopDetail()
                    : stop.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
            return new Run(t.method(), t.finalTheta(), rows, stop, warnings);
        }, () -> {
            probe.close();
            resource.close();
        });
    }
}
