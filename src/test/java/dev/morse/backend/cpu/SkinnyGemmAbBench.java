package dev.morse.backend.cpu;

import dev.morse.backend.DArray;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Opt-in A/B timing of {@link CpuSkinny} (-Dmorse.ab.skinny=MxNxK[,...] or =default for the
 * narrow networks' shapes and a few wide ones; -Dmorse.ab.skinny.budgets=128,256,512 the block
 * budgets tried, KiB; -Dmorse.ab.skinny.threads=1,2). For C[M,N] = A[M,K]·B[K,N]: NN A·B (forward),
 * NT C·Bᵀ (M×K: the adjoint passed down), TN Aᵀ·C (K×N from M rows: a weight gradient); each
 * with the path off (one cblas_dgemm) and on at each block size, alternating rounds in one
 * process so a shared machine slows all alike. Medians in µs on stderr; not part of mvn test.
 */
class SkinnyGemmAbBench {
    private static final String DEFAULT = "10000x12x16,10000x8x12,10000x10x8,10000x8x16,10000x16x8,10000x16x16,"
            + "10000x12x8,10000x8x10,40000x12x16,10000x32x32,10000x64x64,10000x256x256,20000x64x784";
    private static final int ROUNDS = Integer.getInteger("morse.ab.rounds", 15);

    @Test
    void skinnyTiming() {
        String spec = System.getProperty("morse.ab.skinny");
        Assumptions.assumeTrue(spec != null && !spec.isBlank(), "opt-in: -Dmorse.ab.skinny=MxNxK[,...]|default");
        String shapes = spec.equals("default") ? DEFAULT : spec;
        int[] blocks = Arrays.stream(System.getProperty("morse.ab.skinny.budgets", "128").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int[] threadCounts = Arrays.stream(System.getProperty("morse.ab.skinny.threads", "1,2").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int threads0 = CpuBackend.threads();
        int budget0 = CpuSkinny.budget;
        boolean enabled0 = CpuSkinny.enabled;
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-15s %-3s %8s", "MxNxK", "op", "off"));
        for (int bl : blocks) {
            head.append(String.format(Locale.ROOT, " %8s", "on@" + bl + "K"));
        }
        head.append("   (µs, median of ").append(ROUNDS).append(" alternating rounds)\n");
        try (CpuBackend b = new CpuBackend()) {
            for (int th : threadCounts) {
                CpuBackend.setThreads(th);
                StringBuilder sb = new StringBuilder("skinny gemm, OpenBLAS threads " + th + "\n").append(head);
                for (String sh : shapes.split(",")) {
                    String[] f = sh.trim().split("x");
                    int m = Integer.parseInt(f[0]);
                    int n = Integer.parseInt(f[1]);
                    int k = Integer.parseInt(f[2]);
                    int reps = (int) Math.max(1, Math.min(20, 4e8 / (2.0 * m * n * k)));
                    try (DArray a = b.alloc((long) m * k); DArray bm = b.alloc((long) k * n);
                         DArray c = b.alloc((long) m * n); DArray w = b.alloc((long) k * n)) {
                        java.util.Random r = new java.util.Random(1);
                        fill(b, a, r);
                        fill(b, bm, r);
                        fill(b, c, r);
                        for (int op = 0; op < 3; op++) {
                            double[][] t = new double[blocks.length + 1][ROUNDS];
                            for (int round = -3; round < ROUNDS; round++) {
                                for (int v = 0; v <= blocks.length; v++) {
                                    CpuSkinny.enabled = v > 0;
                                    CpuSkinny.budget = v > 0 ? blocks[v - 1] << 10 : budget0;
                                    long t0 = System.nanoTime();
                                    for (int rep = 0; rep < reps; rep++) {
                                        if (op == 0) {
                                            b.gemm(false, false, m, n, k, 1.0, a, 0, k, bm, 0, n, 0.0, c, 0, n);
                                        } else if (op == 1) {
                                            b.gemm(false, true, m, k, n, 1.0, c, 0, n, bm, 0, n, 0.0, a, 0, k);
                                        } else {
                                            b.gemm(true, false, k, n, m, 1.0, a, 0, k, c, 0, n, 0.0, w, 0, n);
                                        }
                                    }
                                    if (round >= 0) {
                                        t[v][round] = (System.nanoTime() - t0) / 1e3 / reps;
                                    }
                                }
                            }
                            sb.append(String.format(Locale.ROOT, "%-15s %-3s", sh.trim(), op == 0 ? "NN" : op == 1 ? "NT" : "TN"));
                            for (double[] tv : t) {
                                sb.append(String.format(Locale.ROOT, " %8.0f", median(tv)));
                            }
                            sb.append('\n');
                        }
                    }
                }
                System.err.print(sb);
            }
        } finally {
            CpuSkinny.enabled = enabled0;
            CpuSkinny.budget = budget0;
            CpuBackend.setThreads(threads0);
        }
    }

    private static void fill(CpuBackend b, DArray x, java.util.Random r) {
        double[] h = new double[(int) x.length()];
        for (int i = 0; i < h.length; i++) {
            h[i] = r.nextGaussian();
        }
        b.upload(h, 0, x, 0, h.length);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
