package dev.morse.backend.cpu;

import dev.morse.backend.Backend;
import java.util.function.IntConsumer;

/**
 * {@link Backend#lanes} on the CPU: lane 0 is the backend that made them, lanes 1 and up are
 * backends of their own, each driven by one persistent thread. When OpenBLAS has at least one
 * thread per lane, {@link #run} gives each lane one core: it sets the BLAS to one thread for
 * the call (each lane's products then run on its own core instead of two lanes splitting
 * every product between them) and restores the count after. With fewer threads than lanes
 * (a batch of one worker per core) the lanes run one after another on the caller's thread.
 * The BLAS thread count is process-wide: two objectives running lanes at once on different
 * threads would change it under each other (only their speed, not their results).
 */
final class CpuLanes implements Backend.Lanes {
    /** How long an idle lane thread waits, yielding, for the next call before parking. */
    private static final long SPIN_NANOS = 100_000;

    private final Backend[] lanes;
    private final CpuWorker[] threads;
    private IntConsumer work;
    private boolean closed;

    CpuLanes(CpuBackend first, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("lanes: count must be ≥ 1, got " + count);
        }
        lanes = new Backend[count];
        threads = new CpuWorker[count];
        lanes[0] = first;
        for (int i = 1; i < count; i++) {
            lanes[i] = new CpuBackend();
        }
    }

    @Override
    public int count() {
        return lanes.length;
    }

    @Override
    public Backend get(int i) {
        return lanes[i];
    }

    @Override
    public boolean concurrent() {
        return lanes.length > 1 && CpuBackend.threads() >= lanes.length;
    }

    @Override
    public void run(IntConsumer w) {
        if (closed) {
            throw new IllegalStateException("cpu lanes used after close");
        }
        if (!concurrent()) {
            for (int i = 0; i < lanes.length; i++) {
                w.accept(i);
            }
            return;
        }
        int blas = CpuBackend.threads();
        CpuBackend.setThreads(1);
        work = w;
        Throwable mine = null;
        try {
            for (int i = 1; i < lanes.length; i++) {
                if (threads[i] == null) {
                    int lane = i;
                    threads[i] = new CpuWorker("morse-cpu-lane-" + i, SPIN_NANOS, () -> work.accept(lane));
                }
                threads[i].post();
            }
            try {
                w.accept(0);
            } catch (Throwable t) {
                mine = t;
            }
            for (int i = 1; i < lanes.length; i++) {
                threads[i].await(); // never return while a lane still writes
            }
        } finally {
            CpuBackend.setThreads(blas);
            work = null;
        }
        rethrow(mine);
        for (int i = 1; i < lanes.length; i++) {
            rethrow(threads[i].failure());
        }
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("cpu lane failed: " + t, t);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (int i = 1; i < lanes.length; i++) {
                if (threads[i] != null) {
                    threads[i].stop();
                }
                lanes[i].close();
            }
        }
    }
}
