package dev.morse.ad;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A loss split by rows, L(θ) = Σ_s L_s(θ), each shard's program compiled into its own
 * {@link Plan} on its own lane of the backend ({@link Backend#lanes}) and the lanes run at
 * once: data parallelism over the examples. On the CPU with two cores a narrow network's
 * products and elementwise passes are too small to split well one at a time (a
 * 16-12-8-10@10000 marginal HVP took longer on two BLAS threads than on one); split by rows,
 * each core runs a whole pass on half the examples, and the passes meet once per call.
 *
 * <p>The sum runs in shard order, lane 0 first, whether the lanes ran at once or one after
 * another, so the result depends on the shards, not on the threads. It differs from the
 * unsplit plan's in the last bits (the rows' sums are grouped differently). θ, the gradient
 * and the caller's vectors live on lane 0; the other lanes get them through the host (N
 * values per shard and call, against a pass over all the examples' activations).
 *
 * <p>Backends without lanes (CUDA) run every shard on the one backend, one after another.
 */
public final class Shards implements Objective {
    private final Backend b;
    private final Backend.Lanes lanes;
    private final Plan[] plans;
    private final int n;
    private final int s;
    private final int kmax;
    private final DArray theta;
    private final DArray grad;
    private final DArray sum;
    /** Unit directions for {@link Lin#hessian} (allocated by the first call). */
    private DArray unit;
    /** Lane s ≥ 1: θ and the directions there, and its results (null for lane 0 and without lanes). */
    private final DArray[] laneTheta;
    private final DArray[] laneV;
    private final DArray[] laneOut;
    /** One host buffer per shard (kmax·N), so the lanes' downloads run at once. */
    private final double[][] host;
    private final Linearization[] lins;
    private final double[] values;
    private final double[] jvps;
    private final Lin lin;
    private long generation;
    private boolean closed;

    // the call in progress (read by the lanes' work)
    private int kc;
    private DArray cv;
    private long cvo;
    private DArray cout;
    private long coo;
    private final IntConsumer valueWork = this::valueLane;
    private final IntConsumer atWork = this::atLane;
    private final IntConsumer hvpWork = this::hvpLane;
    private final IntConsumer jvpWork = this::jvpLane;

    private Shards(List<Program> programs, Backend backend, Plan.Options options) {
        if (programs.isEmpty()) {
            throw new IllegalArgumentException("shards: no programs");
        }
        this.b = backend;
        this.s = programs.size();
        this.n = programs.get(0).nParams();
        for (Program p : programs) {
            if (p.nParams() != n) {
                throw new IllegalArgumentException("shards: every program must take the same θ: N = " + n + " and "
                        + p.nParams());
            }
        }
        Backend.Lanes ln = s > 1 ? backend.lanes(s) : null;
        this.lanes = ln;
        this.plans = new Plan[s];
        this.laneTheta = new DArray[s];
        this.laneV = new DArray[s];
        this.laneOut = new DArray[s];
        this.host = new double[s][];
        this.lins = new Linearization[s];
        this.values = new double[s];
        this.jvps = new double[s];
        // each shard holds 1/s of the rows: its share of the block budget keeps the total
        Plan.Options per = new Plan.Options(options.maxBlock(), Math.max(1, options.blockBudgetBytes() / s),
                options.fuse(), options.graphs());
        DArray th = null;
        DArray g = null;
        DArray sm = null;
        try {
            int k = Integer.MAX_VALUE;
            for (int i = 0; i < s; i++) {
                plans[i] = Plan.compile(programs.get(i), lane(i), per);
                k = Math.min(k, plans[i].blockCapacity());
            }
            this.kmax = k;
            th = b.alloc(n);
            g = b.alloc(n);
            sm = b.alloc((long) kmax * n);
            for (int i = 1; i < s && lanes != null; i++) {
                Backend lb = lanes.get(i);
                laneTheta[i] = lb.alloc(n);
                laneV[i] = lb.alloc((long) kmax * n);
                laneOut[i] = lb.alloc((long) kmax * n);
                host[i] = new double[Math.toIntExact((long) kmax * n)];
            }
        } catch (RuntimeException | Error e) {
            for (DArray a : new DArray[] {th, g, sm}) {
                if (a != null) {
                    a.close();
                }
            }
            closeShards();
            throw e;
        }
        this.theta = th;
        this.grad = g;
        this.sum = sm;
        this.lin = new Lin();
    }

    /**
     * Compiles one plan per program (the shards of one loss: same θ, their losses add up to
     * it), on lanes of {@code backend} when it has them.
     */
    public static Shards compile(List<Program> programs, Backend backend, Plan.Options options) {
        return new Shards(programs, backend, options);
    }

    public static Shards compile(List<Program> programs, Backend backend) {
        return compile(programs, backend, Plan.Options.defaults());
    }

    /**
     * Fewest examples per shard for {@link #auto} to split: below it the lanes' meeting (a few
     * microseconds) is no longer small against a pass over the shard's rows.
     */
    public static final int MIN_ROWS = 256;

    /**
     * The shards for a loss over {@code rows} examples on {@code b}: one per lane the backend
     * runs at once (the CPU's BLAS threads), when each gets at least {@link #MIN_ROWS} examples;
     * else 1 (no split: a batch of one worker per core, CUDA, small data).
     */
    public static int auto(Backend b, int rows) {
        int lanes = b.parallelLanes();
        return lanes > 1 && rows >= (long) lanes * MIN_ROWS ? lanes : 1;
    }

    /** A {@link Plan} for one program, {@link Shards} for several. */
    public static Objective objective(List<Program> programs, Backend backend, Plan.Options options) {
        return programs.size() == 1 ? Plan.compile(programs.get(0), backend, options)
                : compile(programs, backend, options);
    }

    private Backend lane(int i) {
        return lanes == null ? b : lanes.get(i);
    }

    /** Whether shard i's plan lives on a lane of its own (its vectors then cross through the host). */
    private boolean remote(int i) {
        return i > 0 && lanes != null;
    }

    /** The number of shards. */
    public int shards() {
        return s;
    }

    /** Whether the shards run at once now (lanes, and a core for each); else one after another. */
    public boolean concurrent() {
        return lanes != null && lanes.concurrent();
    }

    /** The largest number of directions one pass takes (the smallest of the shards' capacities). */
    public int blockCapacity() {
        return kmax;
    }

    @Override
    public int n() {
        return n;
    }

    @Override
    public Backend backend() {
        return b;
    }

    @Override
    public List<String> nonSmooth() {
        return plans[0].nonSmooth();
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("shards used after close");
        }
    }

    private void run(IntConsumer work) {
        if (lanes != null) {
            lanes.run(work);
        } else {
            for (int i = 0; i < s; i++) {
                work.accept(i);
            }
        }
    }

    private void check(String what, DArray a, long off, long len) {
        HeldLinearization.checkVector("shards", b, n, what, a, off, len);
    }

    /** θ into lane 0's array, and through the host into every other lane's. */
    private void loadTheta(DArray src, long off) {
        check("θ", src, off, n);
        if (src != theta || off != 0) {
            b.copy(n, src, off, theta, 0);
        }
        if (lanes != null && s > 1) {
            b.download(theta, 0, host[1], 0, n);
            for (int i = 1; i < s; i++) {
                if (i > 1) {
                    System.arraycopy(host[1], 0, host[i], 0, n);
                }
                lanes.get(i).upload(host[i], 0, laneTheta[i], 0, n);
            }
        }
    }

    private DArray thetaOf(int i) {
        return remote(i) ? laneTheta[i] : theta;
    }

    private void valueLane(int i) {
        values[i] = plans[i].value(thetaOf(i), 0);
    }

    private void atLane(int i) {
        lins[i] = plans[i].at(thetaOf(i), 0);
        values[i] = lins[i].value();
        if (remote(i)) {
            lanes.get(i).download(lins[i].gradient(), 0, host[i], 0, n);
        }
    }

    private void hvpLane(int i) {
        if (remote(i)) {
            lins[i].hvpBlock(kc, laneV[i], 0, laneOut[i], 0);
            lanes.get(i).download(laneOut[i], 0, host[i], 0, Math.toIntExact((long) kc * n));
        } else {
            lins[0].hvpBlock(kc, cv, cvo, cout, coo);
        }
    }

    private void jvpLane(int i) {
        jvps[i] = lins[i].jvp(remote(i) ? laneV[i] : cv, remote(i) ? 0 : cvo);
    }

    /** Sums the shards' values in shard order. */
    private double total(double[] v) {
        double t = 0;
        for (int i = 0; i < s; i++) {
            t += v[i];
        }
        return t;
    }

    @Override
    public double value(DArray src, long off) {
        live();
        loadTheta(src, off);
        generation++;
        run(valueWork);
        return total(values);
    }

    @Override
    public Linearization at(DArray src, long off) {
        live();
        loadTheta(src, off);
        generation++;
        run(atWork);
        b.copy(n, lins[0].gradient(), 0, grad, 0);
        for (int i = 1; i < s; i++) {
            if (remote(i)) {
                b.upload(host[i], 0, sum, 0, n);
                b.axpy(n, 1.0, sum, 0, grad, 0);
            } else {
                b.axpy(n, 1.0, lins[i].gradient(), 0, grad, 0);
            }
        }
        lin.refresh(generation, total(values));
        return lin;
    }

    /** The directions v[vo ..) of the call in progress, through the host, into the remote lanes. */
    private void sendDirections(DArray v, long vo, int k) {
        if (lanes == null || s == 1) {
            return;
        }
        int len = Math.toIntExact((long) k * n);
        b.download(v, vo, host[1], 0, len);
        for (int i = 1; i < s; i++) {
            if (i > 1) {
                System.arraycopy(host[1], 0, host[i], 0, len);
            }
            lanes.get(i).upload(host[i], 0, laneV[i], 0, len);
        }
    }

    /** out ← Σ_s H_s·v for k ≤ kmax directions: lane 0 writes out, the others are added in shard order. */
    private void hvpChunk(int k, DArray v, long vo, DArray out, long oo) {
        sendDirections(v, vo, k);
        kc = k;
        cv = v;
        cvo = vo;
        cout = out;
        coo = oo;
        if (lanes == null) {
            // one backend: shard 0 writes out, each other shard writes sum, then is added
            lins[0].hvpBlock(k, v, vo, out, oo);
            for (int i = 1; i < s; i++) {
                lins[i].hvpBlock(k, v, vo, sum, 0);
                b.axpy((long) k * n, 1.0, sum, 0, out, oo);
            }
        } else {
            run(hvpWork);
            for (int i = 1; i < s; i++) {
                b.upload(host[i], 0, sum, 0, Math.toIntExact((long) k * n));
                b.axpy((long) k * n, 1.0, sum, 0, out, oo);
            }
        }
        cv = null;
        cout = null;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            theta.close();
            grad.close();
            sum.close();
            if (unit != null) {
                unit.close();
            }
            closeShards();
        }
    }

    private void closeShards() {
        for (int i = 0; i < s; i++) {
            if (plans[i] != null) {
                plans[i].close();
            }
            for (DArray a : new DArray[] {laneTheta[i], laneV[i], laneOut[i]}) {
                if (a != null) {
                    a.close();
                }
            }
        }
        if (lanes != null) {
            lanes.close();
        }
    }

    /** The shards' one linearization, refreshed by each {@code at}. */
    private final class Lin extends HeldLinearization {
        Lin() {
            super("shards", b, n, theta, grad);
        }

        @Override
        long generation() {
            return generation;
        }

        @Override
        void live() {
            Shards.this.live();
        }

        @Override
        public double jvp(DArray v, long vo) {
            valid();
            checkVec("v", v, vo, n);
            sendDirections(v, vo, 1);
            cv = v;
            cvo = vo;
            run(jvpWork);
            cv = null;
            return total(jvps);
        }

        @Override
        int capacity() {
            return kmax;
        }

        @Override
        void chunk(int c, DArray v, long vo, DArray out, long oo) {
            hvpChunk(c, v, vo, out, oo);
        }

        @Override
        DArray unitDirections() {
            if (unit == null) {
                unit = b.alloc((long) kmax * n);
            }
            return unit;
        }
    }
}
