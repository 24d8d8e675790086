package dev.morse.backend.cpu;

import java.util.concurrent.locks.LockSupport;

/**
 * A persistent daemon thread that runs one task each time it is posted: the second half of an
 * elementwise loop ({@link CpuSplit}), a lane's share of a sharded pass ({@link CpuLanes}).
 * The owner sets the task's operands in its own fields, then {@link #post}s (a volatile write
 * that publishes them) and later {@link #await}s; nothing is allocated per call. Between
 * calls the thread waits yielding for {@code spinNanos}, then parks.
 */
final class CpuWorker implements Runnable {
    private final Runnable task;
    private final long spinNanos;
    private final Thread thread;
    private volatile long posted;
    private volatile long done;
    private volatile boolean sleeping;
    private volatile boolean stopped;
    private long seq;
    private Throwable failure;

    CpuWorker(String name, long spinNanos, Runnable task) {
        this.task = task;
        this.spinNanos = spinNanos;
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs the task once more on this worker's thread. */
    void post() {
        failure = null;
        posted = ++seq; // volatile write publishes the owner's operands
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /** Returns once the last posted task has finished. */
    void await() {
        int spins = 0;
        while (done != seq) {
            if (++spins < 1000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** What the last task threw, or null (read after {@link #await}). */
    Throwable failure() {
        return failure;
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        long seen = 0;
        while (!stopped) {
            long s = posted;
            if (s != seen) {
                try {
                    task.run();
                } catch (Throwable t) {
                    failure = t;
                }
                seen = s;
                done = s;
                continue;
            }
            long t0 = System.nanoTime();
            // yield, not spin: the BLAS's own threads may need this core between calls
            while (posted == seen && !stopped && System.nanoTime() - t0 < spinNanos) {
                Thread.yield();
            }
            if (posted == seen && !stopped) {
                sleeping = true;
                if (posted == seen && !stopped) {
                    LockSupport.park(this);
                }
                sleeping = false;
            }
        }
    }
}
