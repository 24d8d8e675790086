package dev.morse.testing;

import dev.morse.backend.cpu.CpuBackend;

/**
 * Pins OpenBLAS to one thread until closed, then restores the previous count (the setting
 * is process-wide). For tests that run many small LAPACK calls: on the shared 2-core
 * machines, threaded dsyevd at N ≈ 100 was measured 10-30× slower than one thread, and the
 * thread count changes the rounding, hence the path of a long nonlinear run.
 */
public final class SingleBlasThread implements AutoCloseable {
    private final int previous;

    public SingleBlasThread() {
        previous = CpuBackend.threads();
        CpuBackend.setThreads(1);
    }

    @Override
    public void close() {
        CpuBackend.setThreads(previous);
    }
}
