package dev.morse.backend.cpu;

/**
 * Runs the CPU backend's elementwise kernels ({@link CpuLoops}), splitting a large range in two
 * halves: the calling thread takes the first, one persistent worker thread the second. A
 * call's operands are kept in fields of its kernel object (one call at a time: a backend is
 * used by one thread), so a call allocates nothing. Only independent elements or rows are split,
 * so results are bitwise those of one thread; reductions (column sums, sums) are not, and the
 * softmax cross-entropy splits its rows but adds their loss terms in row order on one thread.
 * The worker exists only while the BLAS runs on more than one thread (a batch with one worker
 * per core sets the BLAS to one thread, and then every loop stays on its caller's thread).
 */
final class CpuSplit implements AutoCloseable {
    /**
     * Elements below which a loop with a transcendental function (exp, tanh per element: ~10 ns
     * each) stays on one thread: handing half to the worker costs microseconds.
     */
    static final int MIN_SPLIT = 1 << 15;
    /**
     * The same for the multiply-add loops (~0.3 ns per element once tiled). It was 2¹⁸ while
     * OpenBLAS's idle threads spun for 0.1 s after each call and held the second core; with the
     * short spin ./morse sets (OPENBLAS_THREAD_TIMEOUT=4, {@code CpuBackend.threadTimeout}) the
     * worker gets it, and splitting from 2¹⁵ on made a 16-12-8-10@10000 marginal HVP 12% faster
     * (fastest of ~600: 2.20 against 2.50 ms, idle machine, December 2; 2¹⁶ gave 2.22). The
     * system property morse.cpu.minSplitArithmetic overrides it for A/B timing.
     */
    static final int MIN_SPLIT_ARITHMETIC = Integer.getInteger("morse.cpu.minSplitArithmetic", 1 << 15);
    /** How long the idle worker waits, yielding, for the next half before parking. */
    private static final long SPIN_NANOS = 50_000;

    /** Process-wide switch (system property morse.cpu.split=false turns splitting off, for A/B timing). */
    static volatile boolean enabled = !"false".equals(System.getProperty("morse.cpu.split"));

    private final CpuLoops main = new CpuLoops();
    /** The second thread's own tiles. */
    private final CpuLoops second = new CpuLoops();
    private CpuWorker worker;
    /** The kernel of the current call (its operands in its fields) and the second half's rows. */
    private CpuLoops.Kernel kernel;
    private int lo;
    private int hi;

    /**
     * Runs {@code k} over {@code units} elements or rows: on this thread, or in two halves when
     * the call has at least {@link CpuLoops.Kernel#minSplit} elements (never for a reduction).
     */
    void run(CpuLoops.Kernel k, int units) {
        long elements = (long) units * Math.max(1, k.width());
        if (units < 2 || elements < k.minSplit() || !enabled || CpuBackend.threads() < 2) {
            k.run(main, 0, Math.max(0, units)); // no units: a reduction still sets its output (β·y)
            return;
        }
        if (worker == null) {
            worker = new CpuWorker("morse-cpu-elementwise", SPIN_NANOS, () -> kernel.run(second, lo, hi));
        }
        kernel = k;
        int mid = units / 2;
        lo = mid;
        hi = units;
        worker.post();
        try {
            k.run(main, 0, mid);
        } finally {
            worker.await(); // never leave the worker writing into buffers the caller moves on from
        }
        Throwable theirs = worker.failure();
        if (theirs != null) {
            throw new IllegalStateException("cpu backend: elementwise worker failed: " + theirs, theirs);
        }
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.stop();
            worker = null;
        }
    }
}
