package dev.morse.ad;

import dev.morse.ad.prim.Data;
import dev.morse.ad.prim.Slice;
import dev.morse.ad.prim.Theta;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.IArray;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Program} compiled for one backend: every buffer (values, adjoints, tangents,
 * tangent-adjoints, rule scratch) is allocated once here, so a warm gradient, HVP or
 * hvpBlock allocates nothing. {@link #at} linearizes (primal forward + adjoint pass, kept);
 * each HVP then runs only the tangent forward and tangent-adjoint passes.
 *
 * <p>Adjoint accumulation: the first writer of a node's adjoint overwrites (β = 0), later
 * writers accumulate, decided here once; θ's adjoint (written piecewise by slices) is zeroed
 * at the start of each backward pass instead.
 */
public final class Plan implements Objective {

    /** Whether a backend that can record device work (CUDA graphs) replays the HVP passes. */
    public enum Graphs {
        /** Record each block size's tangent passes once, time replay against direct launches, keep the faster. */
        AUTO,
        /** Always replay what the backend could record. */
        ALWAYS,
        /** Never record. */
        NEVER
    }

    /** Compile options. */
    public record Options(int maxBlock, long blockBudgetBytes, boolean fuse, Graphs graphs) {
        /**
         * Block capacity chosen from a 256 MiB budget for the k-dependent buffers, at most 64:
         * larger blocks fall out of cache and cost more per direction than single HVPs; dense
         * layers' bias and activation fused; graphs where they are faster.
         */
        public static Options defaults() {
            return new Options(0, 256L << 20, true, Graphs.AUTO);
        }

        public Options withMaxBlock(int k) {
            return new Options(k, blockBudgetBytes, fuse, graphs);
        }

        /** Fuse an affine layer's bias add into the activation that consumes it (default on). */
        public Options withFusion(boolean on) {
            return new Options(maxBlock, blockBudgetBytes, on, graphs);
        }

        public Options withGraphs(Graphs g) {
            return new Options(maxBlock, blockBudgetBytes, fuse, g);
        }
    }

    /** Timed trials of direct passes against the replay before a graph is kept (best of each). */
    static final int GRAPH_TRIALS = 3;

    private final Program program;
    private final Backend b;
    private final Node[] nodes;
    private final int n;
    private final int loss;
    private final int kmax;
    private final boolean[] active;
    private final boolean[] zeroed;
    private final Buf[] val;
    private final Buf[] adj;
    private final Buf[] tan;
    private final Buf[] tadj;
    private final Exec exec;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final DArray theta;
    private final DArray grad;
    private final DArray vbuf;
    private final DArray hvbuf;
    private final double[] host1 = new double[1];
    private final Lin lin;
    private final Options opt;
    private final Backend.Replay[] replays;
    private final boolean[] recordTried;
    private final int fusedLayers;
    private long generation;
    private boolean closed;

    private Plan(Program program, Backend b, Options opt) {
        this.program = program;
        this.b = b;
        this.opt = opt;
        Fusion fusion = Fusion.of(program, opt.fuse());
        this.fusedLayers = fusion.layers;
        this.nodes = fusion.nodes.toArray(new Node[0]);
        this.n = program.nParams();
        this.loss = program.loss();
        int count = nodes.length;

        Layout layout = new Layout(program, fusion.nodes);
        active = layout.activeFlags();
        if (!active[loss]) {
            throw new IllegalArgumentException("the loss does not depend on θ");
        }
        zeroed = new boolean[count];
        zeroed[0] = true;
        for (Node nd : nodes) {
            if (nd.prim().partialAdjoint()) {
                for (int in : nd.inputs()) {
                    zeroed[in] = true;
                }
            }
        }

        // block capacity from the k-dependent memory
        long perK = 8 * layout.wordsPerDirection();
        int k = opt.maxBlock() > 0 ? opt.maxBlock()
                : (int) Math.max(1, Math.min(64, opt.blockBudgetBytes() / perK));
        this.kmax = Math.max(1, Math.min(k, n));

        // before allocating: does it fit (a clear error naming the sizes if not)?
        b.ensureFits(layout.bytes(kmax), "a plan for N = " + n + " with " + nodes.length
                + " nodes and block capacity " + kmax);
        this.replays = new Backend.Replay[kmax + 1];
        this.recordTried = new boolean[kmax + 1];
        try {
            theta = own(b.alloc(n));
            grad = own(b.alloc(n));
            vbuf = own(b.alloc((long) kmax * n));
            hvbuf = own(b.alloc((long) kmax * n));
            val = new Buf[count];
            adj = new Buf[count];
            tan = new Buf[count];
            tadj = new Buf[count];
            Buf[][] scratch = new Buf[count][];
            for (Node nd : nodes) {
                int i = nd.id();
                Shape s = nd.shape();
                if (nd.prim() instanceof Theta) {
                    val[i] = new Buf(theta, 0, s);
                    adj[i] = new Buf(grad, 0, s);
                    tan[i] = new Buf(vbuf, 0, s);
                    tadj[i] = new Buf(hvbuf, 0, s);
                } else {
                    if (nd.prim() instanceof Slice) {
                        val[i] = new Buf(theta, ((Slice) nd.prim()).offset, s);
                    } else {
                        val[i] = new Buf(own(b.alloc(s.size())), 0, s);
                        if (nd.prim() instanceof Data) {
                            double[] v = program.data().get(((Data) nd.prim()).index);
                            b.upload(v, 0, val[i].a, 0, v.length);
                        }
                    }
                    if (active[i]) {
                        adj[i] = new Buf(own(b.alloc(s.size())), 0, s);
                        tan[i] = new Buf(own(b.alloc(kmax * s.size())), 0, s);
                        tadj[i] = new Buf(own(b.alloc(kmax * s.size())), 0, s);
                    }
                }
                Scratch[] sc = layout.scratch(nd);
                scratch[i] = new Buf[sc.length];
                for (int j = 0; j < sc.length; j++) {
                    long len = sc[j].size() * (sc[j].perBlock() ? kmax : 1);
                    scratch[i][j] = new Buf(own(b.alloc(len)), 0, new Shape(1, (int) sc[j].size()));
                }
            }
            // first writer overwrites, later writers accumulate (reverse order, slot order)
            double[][] beta = new double[count][];
            boolean[] seen = new boolean[count];
            for (int i = count - 1; i >= 0; i--) {
                int[] ins = nodes[i].inputs();
                beta[i] = new double[ins.length];
                if (!active[i]) {
                    continue;
                }
                for (int s = 0; s < ins.length; s++) {
                    int in = ins[s];
                    if (!active[in]) {
                        continue;
                    }
                    beta[i][s] = (zeroed[in] || seen[in]) ? 1.0 : 0.0;
                    seen[in] = true;
                }
            }
            List<int[]> lab = program.labels();
            IArray[] labels = new IArray[lab.size()];
            for (int j = 0; j < labels.length; j++) {
                labels[j] = b.allocInt(lab.get(j).length);
                owned.add(labels[j]);
                b.uploadInt(lab.get(j), 0, labels[j], 0, lab.get(j).length);
            }
            exec = new Exec(b, nodes, val, adj, tan, tadj, scratch, beta, beta, active, labels);
            lin = new Lin();
        } catch (RuntimeException | Error ex) {
            close();
            throw ex;
        }
    }

    private DArray own(DArray a) {
        owned.add(a);
        return a;
    }

    public static Plan compile(Program program, Backend backend) {
        return new Plan(program, backend, Options.defaults());
    }

    public static Plan compile(Program program, Backend backend, Options options) {
        return new Plan(program, backend, options);
    }

    /**
     * Device bytes a plan for this program would allocate with block capacity k (θ-sized
     * vectors, values, adjoints, k tangents and tangent-adjoints, rule scratch, labels):
     * exactly the bytes of the arrays the constructor allocates with the default options (a
     * test holds it to that).
     */
    public static long estimateBytes(Program program, int k) {
        return estimateBytes(program, k, Options.defaults());
    }

    /** {@link #estimateBytes(Program, int)} for a plan compiled with {@code options}. */
    public static long estimateBytes(Program program, int k, Options options) {
        return new Layout(program, Fusion.of(program, options.fuse()).nodes).bytes(k);
    }

    public Program program() {
        return program;
    }

    /** The largest number of directions one tangent pass takes. */
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
        return program.nonSmooth();
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("plan used after close");
        }
    }

    private void loadTheta(DArray src, long off) {
        if (src.backend() != b) {
            throw new IllegalArgumentException("θ lives on backend " + src.backend().name()
                    + ", the plan on " + b.name());
        }
        if (off < 0 || off + n > src.length()) {
            throw new IllegalArgumentException("θ must have length N = " + n + ": got an array of length "
                    + src.length() + " at offset " + off);
        }
        if (src != theta || off != 0) {
            b.copy(n, src, off, theta, 0);
        }
    }

    // ---------------------------------------------------------------- passes

    private void forward(boolean linearize) {
        for (Node nd : nodes) {
            if (nd.prim() instanceof Theta || nd.prim() instanceof Data) {
                continue;
            }
            exec.at(nd, linearize);
            nd.prim().forward(exec);
        }
    }

    private void backward() {
        for (int i = 0; i < nodes.length; i++) {
            if (zeroed[i] && active[i]) {
                b.fill(adj[i].size, 0.0, adj[i].a, adj[i].off);
            }
        }
        b.fill(1, 1.0, adj[loss].a, adj[loss].off);
        for (int i = nodes.length - 1; i > 0; i--) {
            if (active[i]) {
                exec.at(nodes[i], true);
                nodes[i].prim().vjp(exec);
            }
        }
    }

    /**
     * One HVP pass for k directions. Where the backend can record device work (CUDA graphs),
     * the pass for each k is run once directly (so workspaces exist), then recorded, and —
     * with {@link Graphs#AUTO} only if a replay beats direct launches (small networks are
     * launch-bound; large ones gain nothing) — replayed from then on with a single launch.
     */
    private void tangents(int k) {
        Backend.Replay r = replays[k];
        if (r != null) {
            r.launch();
            return;
        }
        tangentPasses(k);
        if (!recordTried[k] && opt.graphs() != Graphs.NEVER) {
            recordTried[k] = true;
            Backend.Replay rec = b.record(() -> tangentPasses(k));
            if (rec != null) {
                if (opt.graphs() == Graphs.ALWAYS || replayIsFaster(rec, k)) {
                    replays[k] = rec;
                } else {
                    rec.close();
                }
            }
        }
    }

    /**
     * Best of {@link #GRAPH_TRIALS} synchronized timings of the direct passes and of the
     * replay. Both compute the same thing into the same buffers (the passes are idempotent:
     * every tangent buffer is overwritten or zeroed first), so the trials change no result.
     */
    private boolean replayIsFaster(Backend.Replay rec, int k) {
        long direct = Long.MAX_VALUE;
        long replay = Long.MAX_VALUE;
        for (int t = 0; t < GRAPH_TRIALS; t++) {
            b.synchronize();
            long t0 = System.nanoTime();
            tangentPasses(k);
            b.synchronize();
            long t1 = System.nanoTime();
            rec.launch();
            b.synchronize();
            long t2 = System.nanoTime();
            direct = Math.min(direct, t1 - t0);
            replay = Math.min(replay, t2 - t1);
        }
        return replay <= direct;
    }

    /** Whether the tangent passes for k directions are replayed from a recorded graph (known after the first such pass). */
    public boolean replayed(int k) {
        return k >= 0 && k <= kmax && replays[k] != null;
    }

    /** Dense layers whose bias add is fused into their activation. */
    public int fusedLayers() {
        return fusedLayers;
    }

    private void tangentPasses(int k) {
        tangentForward(k);
        for (int i = 0; i < nodes.length; i++) {
            if (zeroed[i] && active[i]) {
                b.fill(k * tadj[i].size, 0.0, tadj[i].a, tadj[i].off);
            }
        }
        b.fill(k, 0.0, tadj[loss].a, tadj[loss].off);
        for (int i = nodes.length - 1; i > 0; i--) {
            if (active[i]) {
                exec.at(nodes[i], true);
                nodes[i].prim().tvjp(exec, k);
            }
        }
    }

    private void tangentForward(int k) {
        for (int i = 1; i < nodes.length; i++) {
            if (active[i]) {
                exec.at(nodes[i], true);
                nodes[i].prim().jvp(exec, k);
            }
        }
    }

    private double lossValue() {
        b.download(val[loss].a, val[loss].off, host1, 0, 1);
        return host1[0];
    }

    @Override
    public double value(DArray src, long off) {
        live();
        loadTheta(src, off);
        generation++;
        forward(false);
        return lossValue();
    }

    /** Convenience: L(θ) for a host vector. */
    public double value(double[] th) {
        live();
        checkLength("θ", th.length);
        b.upload(th, 0, theta, 0, n);
        return value(theta, 0);
    }

    @Override
    public Linearization at(DArray src, long off) {
        live();
        loadTheta(src, off);
        generation++;
        forward(true);
        backward();
        lin.refresh(generation, lossValue());
        return lin;
    }

    /** Convenience: linearize at a host vector. */
    public Linearization at(double[] th) {
        live();
        checkLength("θ", th.length);
        b.upload(th, 0, theta, 0, n);
        return at(theta, 0);
    }

    private void checkLength(String what, long len) {
        if (len != n) {
            throw new IllegalArgumentException(what + " has length " + len + ", but N = " + n);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (replays != null) {
                for (Backend.Replay r : replays) {
                    if (r != null) {
                        r.close();
                    }
                }
            }
            for (AutoCloseable a : owned) {
                try {
                    a.close();
                } catch (Exception ignored) {
                    // closing device memory does not fail in a way we could act on
                }
            }
            owned.clear();
        }
    }

    /** The plan's one linearization, refreshed by each {@code at}. */
    private final class Lin extends HeldLinearization {
        Lin() {
            super("plan", b, n, theta, grad);
        }

        @Override
        long generation() {
            return generation;
        }

        @Override
        void live() {
            Plan.this.live();
        }

        /** By the tangent forward pass alone (the JVP rules; the gradient uses the VJP rules). */
        @Override
        public double jvp(DArray v, long vo) {
            valid();
            checkVec("v", v, vo, n);
            b.copy(n, v, vo, vbuf, 0);
            tangentForward(1);
            b.download(tan[loss].a, tan[loss].off, host1, 0, 1);
            return host1[0];
        }

        @Override
        int capacity() {
            return kmax;
        }

        /** The tangent passes on directions copied into the plan's own (the Hessian writes them there). */
        @Override
        void chunk(int c, DArray v, long vo, DArray out, long oo) {
            if (v != vbuf || vo != 0) {
                b.copy((long) c * n, v, vo, vbuf, 0);
            }
            tangents(c);
            b.copy((long) c * n, hvbuf, 0, out, oo);
        }

        @Override
        DArray unitDirections() {
            return vbuf;
        }
    }
}
