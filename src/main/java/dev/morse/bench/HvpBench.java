package dev.morse.bench;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.ad.Plan;
import dev.morse.ad.Shards;
import dev.morse.ad.Program;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The HVP benchmark of one network on one backend: gradient, full HVP (linearization + one
 * HVP), marginal HVP at a fixed θ, and the per-direction cost of hvpBlock(k). Networks are
 * written {@code W0-W1-...@N[:mse][:nobias]}: Swish hidden layers, softmax cross-entropy
 * (or MSE), biases unless noted, random data (seeded).
 */
public final class HvpBench {
    /** The networks of issue 2, smallest first. */
    public static final List<String> NETWORKS = List.of(
            "32-32-4-2@50:nobias", "16-12-8-10@10000", "16-8-16-16@10000:mse",
            "784-64-10@10000", "784-256-256-10@10000", "784-1024-10@60000");

    /** A parsed network spec. */
    public record Net(String spec, int[] widths, int examples, boolean mse, boolean bias) {
        /** The spec without flags, as written in hvp.csv. */
        public String name() {
            int c = spec.indexOf(':');
            return c < 0 ? spec : spec.substring(0, c);
        }

        public static Net parse(String spec) {
            String[] parts = spec.split(":");
            String[] at = parts[0].split("@");
            if (at.length != 2) {
                throw new IllegalArgumentException("network '" + spec + "': expected W0-W1-...@EXAMPLES[:mse][:nobias]");
            }
            String[] w = at[0].split("-");
            int[] widths = new int[w.length];
            try {
                for (int i = 0; i < w.length; i++) {
                    widths[i] = Integer.parseInt(w[i]);
                }
                boolean mse = false;
                boolean bias = true;
                for (int i = 1; i < parts.length; i++) {
                    switch (parts[i]) {
                        case "mse": mse = true; break;
                        case "nobias": bias = false; break;
                        default: throw new IllegalArgumentException("network '" + spec + "': unknown flag '" + parts[i] + "'");
                    }
                }
                return new Net(spec, widths, Integer.parseInt(at[1]), mse, bias);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("network '" + spec + "': " + e.getMessage());
            }
        }

        public Mlp mlp() {
            return Mlp.builder().widths(widths).bias(bias).activation(Activation.SWISH)
                    .loss(mse ? Loss.MSE : Loss.CROSS_ENTROPY).build();
        }

        /** Random data of the right shape (seeded): normal inputs, uniform labels or normal targets. */
        public Program program(long seed) {
            return programs(seed, 1).get(0);
        }

        /** {@link #program} split by rows into {@code shards} programs ({@link Mlp#programs}). */
        public List<Program> programs(long seed, int shards) {
            Mlp m = mlp();
            Random r = new Random(seed);
            double[] x = new double[examples * widths[0]];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextGaussian();
            }
            if (mse) {
                double[] y = new double[examples * m.outputs()];
                for (int i = 0; i < y.length; i++) {
                    y[i] = r.nextGaussian();
                }
                return m.programs(x, examples, y, shards);
            }
            int[] y = new int[examples];
            for (int i = 0; i < y.length; i++) {
                y[i] = r.nextInt(m.outputs());
            }
            return m.programs(x, examples, y, shards);
        }

        /**
         * GEMM flops of one marginal HVP: the first layer (data input, no tangent) does
         * X·Ẇ and Xᵀ(Z̄)˙, 2·2nab; every later layer does two products in each of the tangent
         * forward, the weight tangent-adjoint and the input tangent-adjoint, 6·2nab.
         */
        public double marginalHvpFlops() {
            double f = 0;
            for (int l = 0; l + 1 < widths.length; l++) {
                double nab = (double) examples * widths[l] * widths[l + 1];
                f += (l == 0 ? 4 : 12) * nab;
            }
            return f;
        }
    }

    /** One result row. */
    public record Row(String network, String implementation, String operation, Timing t) {
        public String csv() {
            return String.format(java.util.Locale.ROOT, "%s,%s,%s,%.9g,%.9g,%.9g,%d", network, implementation,
                    operation, t.medianS(), t.minS(), t.maxS(), t.reps());
        }
    }

    private HvpBench() {
    }

    /** Measures one network on one backend; {@code budgetS} is the time per operation. */
    public static List<Row> run(Net net, Backend b, String impl, int block, double budgetS) {
        return run(net, b, impl, block, budgetS, 0);
    }

    /**
     * {@link #run(Net, Backend, String, int, double)} with the loss split by rows into
     * {@code shards} ({@link Shards}; 0: {@link Shards#auto}, as morse runs a loss by default).
     */
    public static List<Row> run(Net net, Backend b, String impl, int block, double budgetS, int shards) {
        List<Row> rows = new ArrayList<>();
        int s = shards == 0 ? Shards.auto(b, net.examples()) : shards;
        try (Objective plan = Shards.objective(net.programs(1, s), b, Plan.Options.defaults())) {
            int n = plan.n();
            int k = block;
            Random r = new Random(2);
            double[] th = net.mlp().init(3);
            double[] v = new double[k * n];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextGaussian();
            }
            try (DArray dth = b.alloc(n); DArray dv = b.alloc((long) k * n); DArray out = b.alloc((long) k * n)) {
                b.upload(th, 0, dth, 0, n);
                b.upload(v, 0, dv, 0, k * n);
                int minReps = 3;
                int maxReps = 500;
                rows.add(new Row(net.name(), impl, "gradient", Timing.measure(() -> {
                    plan.at(dth, 0).gradNormSq();
                    b.synchronize();
                }, budgetS, minReps, maxReps)));
                rows.add(new Row(net.name(), impl, "hvp", Timing.measure(() -> {
                    plan.at(dth, 0).hvp(dv, 0, out, 0);
                    b.synchronize();
                }, budgetS, minReps, maxReps)));
                Linearization lin = plan.at(dth, 0);
                rows.add(new Row(net.name(), impl, "hvp_marginal", Timing.measure(() -> {
                    lin.hvp(dv, 0, out, 0);
                    b.synchronize();
                }, budgetS, minReps, maxReps)));
                // one tangent pass of as many directions as the plan holds (at most --block): a
                // larger k only repeats that pass. A plan that holds one direction runs hvpBlock
                // as a loop of marginal HVPs, so there is no block to measure (on 784-1024-10@60000
                // the loop took 12 of the benchmark's 22 minutes).
                int kb = Math.min(k, plan instanceof Plan p ? p.blockCapacity() : ((Shards) plan).blockCapacity());
                if (kb >= 2) {
                    Timing blk = Timing.measure(() -> {
                        lin.hvpBlock(kb, dv, 0, out, 0);
                        b.synchronize();
                    }, budgetS, minReps, maxReps);
                    rows.add(new Row(net.name(), impl, "hvp_block_per_direction",
                            new Timing(blk.medianS() / kb, blk.minS() / kb, blk.maxS() / kb, blk.reps())));
                }
            }
        }
        return rows;
    }

    /** OpenBLAS-style dgemm rate on this backend: C = A·B with n×n matrices, in GFLOP/s (and its timing). */
    public static Row dgemm(Backend b, String impl, int n, double budgetS) {
        Random r = new Random(4);
        double[] a = new double[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian();
        }
        try (DArray da = b.alloc((long) n * n); DArray db = b.alloc((long) n * n); DArray dc = b.alloc((long) n * n)) {
            b.upload(a, 0, da, 0, a.length);
            b.upload(a, 0, db, 0, a.length);
            Timing t = Timing.measure(() -> {
                b.gemm(false, false, n, n, n, 1.0, da, 0, n, db, 0, n, 0.0, dc, 0, n);
                b.synchronize();
            }, budgetS, 5, 50);
            return new Row("dgemm-" + n, impl, "dgemm", t);
        }
    }
}
