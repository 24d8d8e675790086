package dev.morse.backend.cpu;

import dev.morse.backend.UnaryFn;
import java.nio.DoubleBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the CPU backend's elementwise loops ({@link CpuLoops}), splitting a large range in two
 * halves: the calling thread takes the first, one persistent worker thread the second. The
 * call's arguments are kept in fields of this object (one call at a time: a backend is used
 * by one thread), so a call allocates nothing. Only independent elements or rows are split,
 * so results are bitwise those of one thread; reductions (column sums, sums, the loss) are not.
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
     * The same for the multiply-add loops (~0.3 ns per element once tiled): they split only when
     * large enough that waking the worker is certainly paid back, since on a busy machine the
     * second thread may not be scheduled at once (narrow networks' 10⁵-element tangents stay on one).
     */
    static final int MIN_SPLIT_ARITHMETIC = 1 << 18;
    /** How long the idle worker waits, yielding, for the next half before parking. */
    private static final long SPIN_NANOS = 50_000;

    /** Process-wide switch (system property morse.cpu.split=false turns splitting off, for A/B timing). */
    static volatile boolean enabled = !"false".equals(System.getProperty("morse.cpu.split"));

    private enum Op { FILL, AXPBY, UNARY, DERIVATIVES, MUL, MUL2, SCALE, BIAS_ROWS, BIAS_MUL, SOFTMAX_JVP }

    private final CpuLoops main = new CpuLoops();
    private Worker worker;

    // the current call's arguments
    private Op op;
    private UnaryFn f;
    private int p;
    private int cols;
    private double alpha;
    private double beta;
    private DoubleBuffer x;
    private DoubleBuffer y;
    private DoubleBuffer z;
    private DoubleBuffer a;
    private DoubleBuffer b;
    private DoubleBuffer d1;
    private DoubleBuffer d2;
    private int xo;
    private int yo;
    private int zo;
    private int ao;
    private int bo;
    private int d1o;
    private int d2o;

    /** The loops of the calling thread, for the kernels that are never split. */
    CpuLoops loops() {
        return main;
    }

    void fill(DoubleBuffer yb, int yoff, double v, int n) {
        op = Op.FILL;
        y = yb;
        yo = yoff;
        alpha = v;
        run(n, 1);
    }

    void axpby(double av, DoubleBuffer xb, int xoff, double bv, DoubleBuffer yb, int yoff, int n) {
        op = Op.AXPBY;
        alpha = av;
        x = xb;
        xo = xoff;
        beta = bv;
        y = yb;
        yo = yoff;
        run(n, 1);
    }

    void unary(UnaryFn fn, int pp, DoubleBuffer xb, int xoff, DoubleBuffer yb, int yoff, int n) {
        op = Op.UNARY;
        f = fn;
        p = pp;
        x = xb;
        xo = xoff;
        y = yb;
        yo = yoff;
        run(n, 1);
    }

    void unaryDerivatives(UnaryFn fn, int pp, DoubleBuffer xb, int xoff, DoubleBuffer yb, int yoff,
                          DoubleBuffer d1b, int d1off, DoubleBuffer d2b, int d2off, int n) {
        op = Op.DERIVATIVES;
        f = fn;
        p = pp;
        x = xb;
        xo = xoff;
        y = yb;
        yo = yoff;
        d1 = d1b;
        d1o = d1off;
        d2 = d2b;
        d2o = d2off;
        run(n, 1);
    }

    void mul(double al, DoubleBuffer xb, int xoff, DoubleBuffer yb, int yoff, double be,
             DoubleBuffer zb, int zoff, int n) {
        op = Op.MUL;
        alpha = al;
        x = xb;
        xo = xoff;
        y = yb;
        yo = yoff;
        beta = be;
        z = zb;
        zo = zoff;
        run(n, 1);
    }

    void mul2(DoubleBuffer ab, int aoff, DoubleBuffer xb, int xoff, DoubleBuffer bb, int boff,
              DoubleBuffer yb, int yoff, double be, DoubleBuffer zb, int zoff, int n) {
        op = Op.MUL2;
        a = ab;
        ao = aoff;
        x = xb;
        xo = xoff;
        b = bb;
        bo = boff;
        y = yb;
        yo = yoff;
        beta = be;
        z = zb;
        zo = zoff;
        run(n, 1);
    }

    void scale(double av, DoubleBuffer xb, int xoff, double be, DoubleBuffer yb, int yoff, int n) {
        op = Op.SCALE;
        alpha = av;
        x = xb;
        xo = xoff;
        beta = be;
        y = yb;
        yo = yoff;
        run(n, 1);
    }

    /** See {@link CpuLoops#biasRows}; {@code fn} null adds the bias row only. */
    void biasRows(int rows, int c, double al, DoubleBuffer bb, int boff, DoubleBuffer zb, int zoff,
                  UnaryFn fn, int pp, DoubleBuffer yb, int yoff, DoubleBuffer d1b, int d1off,
                  DoubleBuffer d2b, int d2off) {
        op = Op.BIAS_ROWS;
        cols = c;
        alpha = al;
        b = bb;
        bo = boff;
        z = zb;
        zo = zoff;
        f = fn;
        p = pp;
        y = yb;
        yo = yoff;
        d1 = d1b;
        d1o = d1off;
        d2 = d2b;
        d2o = d2off;
        run(rows, c);
    }

    void biasMul(int rows, int c, DoubleBuffer bb, int boff, DoubleBuffer zb, int zoff,
                 DoubleBuffer db, int doff, DoubleBuffer yb, int yoff) {
        op = Op.BIAS_MUL;
        cols = c;
        b = bb;
        bo = boff;
        z = zb;
        zo = zoff;
        a = db;
        ao = doff;
        y = yb;
        yo = yoff;
        run(rows, c);
    }

    void softmaxJvp(int rows, int c, DoubleBuffer pb, int poff, DoubleBuffer dzb, int dzoff,
                    double al, double be, DoubleBuffer dpb, int dpoff) {
        op = Op.SOFTMAX_JVP;
        cols = c;
        a = pb;
        ao = poff;
        x = dzb;
        xo = dzoff;
        alpha = al;
        beta = be;
        y = dpb;
        yo = dpoff;
        run(rows, c);
    }

    /** Runs the current op over [lo, hi) (elements, or rows for the row ops) with {@code l}'s tiles. */
    private void exec(CpuLoops l, int lo, int hi) {
        switch (op) {
            case FILL: l.fill(y, yo, alpha, lo, hi); break;
            case AXPBY: l.axpby(alpha, x, xo, beta, y, yo, lo, hi); break;
            case UNARY: l.unary(f, p, x, xo, y, yo, lo, hi); break;
            case DERIVATIVES: l.unaryDerivatives(f, p, x, xo, y, yo, d1, d1o, d2, d2o, lo, hi); break;
            case MUL: l.mul(alpha, x, xo, y, yo, beta, z, zo, lo, hi); break;
            case MUL2: l.mul2(a, ao, x, xo, b, bo, y, yo, beta, z, zo, lo, hi); break;
            case SCALE: l.scale(alpha, x, xo, beta, y, yo, lo, hi); break;
            case BIAS_ROWS: l.biasRows(cols, alpha, b, bo, z, zo, f, p, y, yo, d1, d1o, d2, d2o, lo, hi); break;
            case BIAS_MUL: l.biasMul(cols, b, bo, z, zo, a, ao, y, yo, lo, hi); break;
            case SOFTMAX_JVP: l.softmaxJvp(cols, a, ao, x, xo, alpha, beta, y, yo, lo, hi); break;
            default: throw new AssertionError(op);
        }
    }

    /** {@code units} elements or rows of {@code width} elements each. */
    private void run(int units, int width) {
        if (units <= 0) {
            return;
        }
        long elements = (long) units * Math.max(1, width);
        boolean transcendental = op == Op.UNARY || op == Op.DERIVATIVES || (op == Op.BIAS_ROWS && f != null);
        if (units < 2 || elements < (transcendental ? MIN_SPLIT : MIN_SPLIT_ARITHMETIC) || !enabled
                || CpuBackend.threads() < 2) {
            exec(main, 0, units);
            return;
        }
        if (worker == null) {
            worker = new Worker();
        }
        int mid = units / 2;
        worker.post(mid, units);
        try {
            exec(main, 0, mid);
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

    /** The second thread: waits (spinning briefly, then parked) for a posted half, runs it, reports done. */
    private final class Worker implements Runnable {
        private final CpuLoops loops = new CpuLoops();
        private final Thread thread;
        private volatile long posted;
        private volatile long done;
        private volatile boolean sleeping;
        private volatile boolean stopped;
        private long seq;
        private int lo;
        private int hi;
        private Throwable failure;

        Worker() {
            thread = new Thread(this, "morse-cpu-elementwise");
            thread.setDaemon(true);
            thread.start();
        }

        void post(int from, int to) {
            lo = from;
            hi = to;
            failure = null;
            posted = ++seq; // volatile write publishes lo, hi and the call's fields
            if (sleeping) {
                LockSupport.unpark(thread);
            }
        }

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
                        exec(loops, lo, hi);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    seen = s;
                    done = s;
                    continue;
                }
                long t0 = System.nanoTime();
                // yield, not spin: the BLAS's own threads need this core between our loops
                while (posted == seen && !stopped && System.nanoTime() - t0 < SPIN_NANOS) {
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
}
