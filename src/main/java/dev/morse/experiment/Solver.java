package dev.morse.experiment;

import dev.morse.optim.Run;
import dev.morse.optim.IterateListener;

/**
 * A critical-point method or optimizer as a batch drives it ({@link MethodOptions#solver}): one
 * instance per method and worker, its workspaces reused run after run, freed by {@link #close()}.
 */
public interface Solver extends AutoCloseable {
    /** A run from θ₀ whose every iterate {@code listener} sees. */
    Run run(double[] theta0, IterateListener listener);

    @Override
    void close();

    /** A method's run with a listener. */
    @FunctionalInterface
    interface RunFunction {
        Run run(double[] theta0, IterateListener listener);
    }

    /** A solver from a run and the resource that {@link #close()} releases. */
    static Solver of(RunFunction fn, AutoCloseable resource) {
        return new Solver() {
            @Override
            public Run run(double[] theta0, IterateListener listener) {
                return fn.run(theta0, listener);
            }

            @Override
            public void close() {
                try {
                    resource.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing a solver: " + e, e);
                }
            }
        };
    }
}
