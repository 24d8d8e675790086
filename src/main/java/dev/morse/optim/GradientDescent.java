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
    public record Options(double learningRate, double momentum, StopCriteria stop) {
        public Options {
            if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("gradient descent: need η > 0 and μ in [0, 1), got η = "
                        + learningRate + ", μ = " + momentum);
            }
        }

        /** The papers' start-point settings (Appendix A.2): η = 0.1, and μ = 0.9 with momentum. */
        public static Options of(int iterations, boolean withMomentum) {
            return new Options(0.1, withMomentum ? 0.9 : 0.0, StopCriteria.iterations(iterations));
        }
    }

    private final Objective obj;
    private final Options opt;
    private final Backend be;
    private final int n;
    private final DArray theta;
    private final DArray velocity;
    private final RunRecorder rec;

    public GradientDescent(Objective objective, Options options) {
        this.obj = objective;
        this.opt = options;
        this.be = objective.backend();
        this.n = objective.n();
        this.theta = be.alloc(n);
        this.velocity = be.alloc(n);
        this.rec = new RunRecorder(options.momentum() > 0 ? "momentum" : "gradient-descent", be, n);
    }

    public static Options plain(double learningRate, int iterations) {
        return new Options(learningRate, 0.0, StopCriteria.iterations(iterations));
    }

    public static Options momentum(double learningRate, double momentum, int iterations) {
        return new Options(learningRate, momentum, StopCriteria.iterations(iterations));
    }

    public Run run(double[] theta0) {
        return run(theta0, IterateListener.NONE);
    }

    /** A run whose every iterate is shown to {@code listener} once reached. */
    public Run run(double[] theta0, IterateListener listener) {
        rec.start(theta0, theta, listener);
        be.fill(n, 0.0, velocity, 0);
        Linearization lin = obj.at(theta, 0);
        rec.record(0, lin);
        StopReason stop = StopReason.ITERATION_CAP;
        for (int k = 1; k <= opt.stop().maxIterations(); k++) {
            // g = 0 does not end the run: with momentum θ moves on
            StopReason at = RunRecorder.stopAt(lin, opt.stop().gradNormSqFloor(), false);
            if (at != null) {
                stop = at;
                break;
            }
            // v ← μv − ηg ; θ ← θ + v
            be.axpby(n, -opt.learningRate(), lin.gradient(), 0, opt.momentum(), velocity, 0);
            be.axpy(n, 1.0, velocity, 0, theta, 0);
            lin = obj.at(theta, 0);
            rec.record(k, lin);
        }
        return rec.finishOptimizer(theta, stop, null);
    }

    @Override
    public void close() {
        theta.close();
        velocity.close();
    }
}
