package dev.morse.backend.cpu;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Opt-in: the ceiling a sharded HVP's products put on its share of the dgemm rate
 * (-Dmorse.ab.lanes=MxNxK[,...] or =default for the wide networks' products on a shard of 5000
 * rows). Each product runs through {@link CpuBackend#gemm} (so with the skinny and transposed
 * paths), C[M,N] = A[M,K]·B[K,N] ("NN", a layer's forward) and W[K,N] = Aᵀ·C ("TN", its weight
 * gradient over the M rows), on every lane of {@link CpuBackend#lanes} at once, as
 * {@code Shards} runs a loss; beside it 2048³ on the same lanes at once and 2048³ on one backend
 * with all BLAS threads (what {@code bench hvp} calls the dgemm rate). GFLOP/s summed over the
 * lanes, median of the rounds (-Dmorse.ab.rounds, default 7), alternating in one process so a
 * busy machine slows all alike; on stderr; not part of mvn test.
 */
class LaneGemmAbBench {
    private static final String DEFAULT = "5000x64x784,5000x256x784,5000x256x256,5000x1024x784,5000x10x256";
    private static final int ROUNDS = Integer.getInteger("morse.ab.rounds", 7);

    @Test
    void laneGemmRates() {
        String spec = System.getProperty("morse.ab.lanes");
        Assumptions.assumeTrue(spec != null && !spec.isBlank(), "opt-in: -Dmorse.ab.lanes=MxNxK[,...]|default");
        String shapes = spec.equals("default") ? DEFAULT : spec;
        try (CpuBackend b = new CpuBackend(); Backend.Lanes lanes = b.lanes(b.parallelLanes())) {
            int count = lanes.count();
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "lane gemm: %d lanes (at once: %s), GFLOP/s summed over the lanes, median of %d rounds%n",
                    count, lanes.concurrent(), ROUNDS));
            double[] peakAll = new double[ROUNDS];
            double[] peakLanes = new double[ROUNDS];
            String[] names = shapes.split(",");
            double[][][] rates = new double[names.length][2][ROUNDS];
            try (Operands square = new Operands(lanes, 2048, 2048, 2048)) {
                Operands[] ops = new Operands[names.length];
                try {
                    for (int s = 0; s < names.length; s++) {
                        int[] d = Arrays.stream(names[s].trim().split("x")).mapToInt(Integer::parseInt).toArray();
                        ops[s] = new Operands(lanes, d[0], d[1], d[2]);
                    }
                    for (int round = -1; round < ROUNDS; round++) {
                        double all = square.onAllThreads(b);
                        double sq = square.onLanes(lanes, false);
                        double[][] r = new double[names.length][2];
                        for (int s = 0; s < names.length; s++) {
                            r[s][0] = ops[s].onLanes(lanes, false);
                            r[s][1] = ops[s].onLanes(lanes, true);
                        }
                        if (round >= 0) {
                            peakAll[round] = all;
                            peakLanes[round] = sq;
                            for (int s = 0; s < names.length; s++) {
                                rates[s][0][round] = r[s][0];
                                rates[s][1][round] = r[s][1];
                            }
                        }
                    }
                } finally {
                    for (Operands o : ops) {
                        if (o != null) {
                            o.close();
                        }
                    }
                }
            }
            double all = median(peakAll);
            out.append(String.format(Locale.ROOT, "  2048³, one call on all BLAS threads: %.1f (range %.1f-%.1f)%n",
                    all, min(peakAll), max(peakAll)));
            out.append(String.format(Locale.ROOT, "  2048³ on the lanes at once:          %.1f (%.0f%% of the above; range %.1f-%.1f)%n",
                    median(peakLanes), 100 * median(peakLanes) / all, min(peakLanes), max(peakLanes)));
            double lanesPeak = median(peakLanes);
            for (int s = 0; s < names.length; s++) {
                for (int t = 0; t < 2; t++) {
                    double m = median(rates[s][t]);
                    out.append(String.format(Locale.ROOT,
                            "  %-15s %s on the lanes at once:  %.1f (%.0f%% of one call, %.0f%% of 2048³ on the lanes; range %.1f-%.1f)%n",
                            names[s].trim(), t == 0 ? "NN" : "TN", m, 100 * m / all, 100 * m / lanesPeak,
                            min(rates[s][t]), max(rates[s][t])));
                }
            }
            System.err.print(out);
        }
    }

    /** A product's operands on every lane: A (M×K), B (K×N), C (M×N), W (K×N). */
    private static final class Operands implements AutoCloseable {
        final int m;
        final int n;
        final int k;
        final DArray[][] arrays;
        final Backend[] on;

        Operands(Backend.Lanes lanes, int m, int n, int k) {
            this.m = m;
            this.n = n;
            this.k = k;
            int count = lanes.count();
            arrays = new DArray[count][];
            on = new Backend[count];
            Random r = new Random(1);
            for (int i = 0; i < count; i++) {
                Backend b = lanes.get(i);
                on[i] = b;
                arrays[i] = new DArray[] {b.alloc((long) m * k), b.alloc((long) k * n), b.alloc((long) m * n),
                    b.alloc((long) k * n)};
                for (DArray a : arrays[i]) {
                    double[] v = new double[Math.toIntExact(a.length())];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = r.nextGaussian();
                    }
                    b.upload(v, 0, a, 0, v.length);
                }
            }
        }

        private int reps() {
            return (int) Math.max(2, Math.min(20, 2e9 / (2.0 * m * n * k)));
        }

        /** Summed GFLOP/s of reps products on every lane at once (NN, or TN: Aᵀ·C). */
        double onLanes(Backend.Lanes lanes, boolean tn) {
            int reps = reps();
            long t0 = System.nanoTime();
            lanes.run(i -> {
                DArray[] a = arrays[i];
                for (int q = 0; q < reps; q++) {
                    if (tn) {
                        on[i].gemm(true, false, k, n, m, 1.0, a[0], 0, k, a[2], 0, n, 0.0, a[3], 0, n);
                    } else {
                        on[i].gemm(false, false, m, n, k, 1.0, a[0], 0, k, a[1], 0, n, 0.0, a[2], 0, n);
                    }
                }
                on[i].synchronize();
            });
            double s = (System.nanoTime() - t0) * 1e-9;
            return lanes.count() * reps * 2.0 * m * n * k / s * 1e-9;
        }

        /** GFLOP/s of reps NN products as one call each on lane 0 with all its BLAS threads. */
        double onAllThreads(Backend b) {
            int reps = reps();
            DArray[] a = arrays[0];
            long t0 = System.nanoTime();
            for (int q = 0; q < reps; q++) {
                b.gemm(false, false, m, n, k, 1.0, a[0], 0, k, a[1], 0, n, 0.0, a[2], 0, n);
            }
            b.synchronize();
            double s = (System.nanoTime() - t0) * 1e-9;
            return reps * 2.0 * m * n * k / s * 1e-9;
        }

        @Override
        public void close() {
            for (DArray[] as : arrays) {
                for (DArray a : as) {
                    a.close();
                }
            }
        }
    }

    private static double median(double[] x) {
        double[] y = x.clone();
        Arrays.sort(y);
        return y.length % 2 == 1 ? y[y.length / 2] : 0.5 * (y[y.length / 2 - 1] + y[y.length / 2]);
    }

    private static double min(double[] x) {
        return Arrays.stream(x).min().orElse(Double.NaN);
    }

    private static double max(double[] x) {
        return Arrays.stream(x).max().orElse(Double.NaN);
    }
}
