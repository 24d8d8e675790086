package dev.morse.experiment;

/** Executes runs on one worker (one thread, one backend, one compiled plan). */
public interface RunExecutor extends AutoCloseable {
    /**
     * Runs a job to its end. An expected failure (divergence, NaN) is a result with status
     * {@code failed} and a reason; an exception is caught by the runner and recorded the same way.
     */
    RunResult execute(Job job);

    @Override
    void close();
}
