package dev.morse.optim;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * Full-batch gradient descent, optionally with heavy-ball momentum:
 * v ← μv − ηg, θ ← θ + v (μ = 0: θ ← θ − ηg). The papers' start points come from these
 * (lr 0.1; momentum 0.9 for the nonlinear networks, Appendix A.2).
 */
public final class GradientDescent implements AutoCloseable {
    /**
     * @param learningRate η > 0
     * @param momentum     μ in [0, 1)
     */
    public record Options(double learningRate, double momentum, StopCriteria stop, Snapshots snapshots) {
        public Options {
            if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("gradient descent: need η > 0 and μ in [0, 1), got η = "
                        + learningRate + ", μ = " + momentum);
            }
        }

        /** The papers' start-point settings (Appendix A.2): η = 0.1, and μ = 0.9 with momentum. */
        public static Options of(int iterations, boolean withMomentum, Snapshots snapshots) {
            return new Options(0.1, withMomentum ? 0.9 : 0.0, StopCriteria.iterations(iterations), snapshots);
        }
    }

    private final Objective obj;
    private final Options opt;
    private final Backend be;
    private final int n;
    private final DArray theta;
    private final DArray velocity;

    public GradientDescent(Objective objective, Options options) {
        this.obj = objective;
        this.opt = options;
        this.be = objective.backend();
        this.n = objective.n();
        this.theta = be.alloc(n);
        this.velocity = be.alloc(n);
    }

    public static Options plain(double learningRate, int iterations, Snapshots snapshots) {
        return new Options(learningRate, 0.0, StopCriteria.iterations(iterations), snapshots);
    }

    public static Options momentum(double learningRate, double momentum, int iterations, Snapshots snapshots) {
        return new Options(learningRate, momentum, StopCriteria.iterations(iterations), snapshots);
    }

    public Trajectory run(double[] theta0) {
        return run(theta0, IterateListener.NONE);
    }

    /** A run whose every iterate is shown to {@code listener} once reached. */
    public Trajectory run(double[] theta0, IterateListener listener) {
        if (theta0.length != n) {
            throw new IllegalArgumentException("gradient descent: θ₀ has length " + theta0.length + ", N = " + n);
        }
        be.upload(theta0, 0, theta, 0, n);
        be.fill(n, 0.0, velocity, 0);
        String method = opt.momentum() > 0 ? "momentum" : "gradient-descent";
        Recorder rec = new Recorder(be, n, opt.snapshots(), listener);
        Linearization lin = obj.at(theta, 0);
        rec.record(0, lin, theta);
        StopReason stop = StopReason.ITERATION_CAP;
        String detail = null;
        for (int k = 1; k <= opt.stop().maxIterations(); k++) {
            if (!lin.finite()) {
                stop = StopReason.NON_FINITE;
                break;
            }
            if (lin.gradNormSq() < opt.stop().gradNormSqFloor()) {
                stop = StopReason.GRAD_FLOOR;
                break;
            }
            // v ← μv − ηg ; θ ← θ + v
            be.axpby(n, -opt.learningRate(), lin.gradient(), 0, opt.momentum(), velocity, 0);
            be.axpy(n, 1.0, velocity, 0, theta, 0);
            lin = obj.at(theta, 0);
            rec.record(k, lin, theta);
        }
        return rec.finish(method, theta, stop, detail);
    }

    @Override
    public void close() {
        theta.close();
        velocity.close();
    }
}
