package dev.morse.experiment;

import dev.morse.ad.Objective;
import dev.morse.newton.Iterate;
import dev.morse.newton.IterateListener;
import dev.morse.newton.NewtonMr;
import dev.morse.newton.Run;
import dev.morse.optim.Bfgs;
import dev.morse.optim.GradientDescent;
import dev.morse.optim.Lbfgs;
import dev.morse.optim.LevenbergMarquardt;
import dev.morse.optim.Snapshots;
import dev.morse.optim.StopReason;
import dev.morse.optim.Trajectory;
import dev.morse.optim.TrajectoryPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

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

    static Executor.Solver create(Objective objective, Spec.MethodSpec m) {
        int it = m.iterations();
        AutoCloseable resource;
        Function<double[], Trajectory> run;
        switch (m.kind()) {
            case "levenberg-marquardt": {
                LevenbergMarquardt.Options d = LevenbergMarquardt.Options.of(it, Snapshots.none());
                LevenbergMarquardt lm = new LevenbergMarquardt(objective, new LevenbergMarquardt.Options(d.stop(),
                        d.snapshots(), m.num("epsilon"), m.num("factor"), 1.0 / m.num("factor"), d.epsMin(),
                        d.epsMax(), m.str("merit").equals("loss") ? LevenbergMarquardt.Merit.LOSS
                        : LevenbergMarquardt.Merit.GRAD_NORM));
                resource = lm;
                run = lm::run;
                break;
            }
            case "bfgs": {
                Bfgs.Options d = Bfgs.Options.of(it, Snapshots.none());
                Bfgs b = new Bfgs(objective, new Bfgs.Options(new dev.morse.optim.StopCriteria(it, m.num("gtol")),
                        d.snapshots(), d.c1(), d.c2(), d.maxEvaluations()));
                resource = b;
                run = b::run;
                break;
            }
            case "lbfgs": {
                Lbfgs.Options d = Lbfgs.Options.of(it, (int) m.num("memory"), Snapshots.none());
                Lbfgs b = new Lbfgs(objective, new Lbfgs.Options(new dev.morse.optim.StopCriteria(it, m.num("gtol")),
                        d.snapshots(), d.memory(), d.c1(), d.c2(), d.maxEvaluations()));
                resource = b;
                run = b::run;
                break;
            }
            case "gd":
            case "momentum": {
                GradientDescent g = new GradientDescent(objective, GradientDescent.momentum(m.num("lr"),
                        m.num("momentum"), it, Snapshots.none()));
                resource = g;
                run = g::run;
                break;
            }
            default:
                throw new SpecException("methods", "unknown method kind \"" + m.kind() + "\"");
        }
        NewtonMr probe = new NewtonMr(objective, NewtonMr.Options.defaults().withMaxIterations(1));
        return new Executor.Solver() {
            @Override
            public Run run(double[] theta0, IterateListener ignored) {
                Trajectory t = run.apply(theta0);
                // r and r_H of the Newton direction at the end point
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
            }

            @Override
            public boolean showsIterates() {
                return false;
            }

            @Override
            public void close() {
                probe.close();
                try {
                    resource.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }
}
