package dev.morse.backend.cpu;

import dev.morse.ad.Linearization;
import dev.morse.ad.Plan;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.bench.HvpBench;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Opt-in A/B timing (-Dmorse.ab=NET[,NET...], e.g. 16-12-8-10@10000): gradient and marginal
 * HVP with the scalar reference loops ({@link ScalarCpuBackend}), the tiled loops on one thread
 * and the tiled loops split over two, alternating rounds in one process so a shared machine
 * slows all three alike. Medians in ms on stderr; not part of mvn test.
 */
class ElementwiseAbBench {
    private static final int ROUNDS = Integer.getInteger("morse.ab.rounds", 9);
    private static final int REPS = 5;

    @Test
    void abTiming() {
        String nets = System.getProperty("morse.ab");
        Assumptions.assumeTrue(nets != null && !nets.isBlank(), "opt-in: -Dmorse.ab=NETWORK[,...]");
        int threads0 = CpuBackend.threads();
        CpuBackend.setThreads(Integer.getInteger("morse.ab.threads", threads0));
        try {
            runAll(nets);
        } finally {
            CpuBackend.setThreads(threads0);
        }
    }

    private void runAll(String nets) {
        System.err.println("BLAS threads " + CpuBackend.threads());
        for (String spec : nets.split(",")) {
            HvpBench.Net net = HvpBench.Net.parse(spec.trim());
            try (CpuBackend fast = new CpuBackend(); ScalarCpuBackend ref = new ScalarCpuBackend();
                 Plan pf = Plan.compile(net.program(1), fast); Plan pr = Plan.compile(net.program(1), ref)) {
                Backend[] bs = {ref, fast, fast};
                Plan[] ps = {pr, pf, pf};
                String[] names = {"scalar reference", "tiled, 1 thread", "tiled, split"};
                int n = pf.n();
                double[] th = new double[n];
                double[] v = new double[n];
                java.util.Random r = new java.util.Random(3);
                for (int i = 0; i < n; i++) {
                    th[i] = 0.3 * r.nextGaussian();
                    v[i] = r.nextGaussian();
                }
                DArray[] t = new DArray[3];
                DArray[] vv = new DArray[3];
                DArray[] out = new DArray[3];
                Linearization[] lin = new Linearization[3];
                for (int c = 0; c < 3; c++) {
                    t[c] = bs[c].alloc(n);
                    vv[c] = bs[c].alloc(n);
                    out[c] = bs[c].alloc(n);
                    bs[c].upload(th, 0, t[c], 0, n);
                    bs[c].upload(v, 0, vv[c], 0, n);
                }
                double[][] grad = new double[3][ROUNDS];
                double[][] hvp = new double[3][ROUNDS];
                for (int round = -3; round < ROUNDS; round++) {
                    for (int c = 0; c < 3; c++) {
                        CpuSplit.enabled = c == 2;
                        long t0 = System.nanoTime();
                        for (int rep = 0; rep < REPS; rep++) {
                            lin[c] = ps[c].at(t[c], 0);
                            lin[c].gradNormSq();
                        }
                        long t1 = System.nanoTime();
                        for (int rep = 0; rep < REPS; rep++) {
                            lin[c].hvp(vv[c], 0, out[c], 0);
                        }
                        long t2 = System.nanoTime();
                        if (round >= 0) {
                            grad[c][round] = (t1 - t0) / 1e6 / REPS;
                            hvp[c][round] = (t2 - t1) / 1e6 / REPS;
                        }
                    }
                }
                CpuSplit.enabled = true;
                StringBuilder sb = new StringBuilder("A/B " + spec + " (ms, median of " + ROUNDS + " alternating rounds; "
                        + "linearization = plan.at + gradient)\n");
                for (int c = 0; c < 3; c++) {
                    sb.append(String.format(Locale.ROOT, "  %-18s linearization %8.3f   marginal HVP %8.3f%n", names[c],
                            median(grad[c]), median(hvp[c])));
                }
                System.err.print(sb);
                for (int c = 0; c < 3; c++) {
                    t[c].close();
                    vv[c].close();
                    out[c].close();
                }
            }
        }
    }

    /** Opt-in (-Dmorse.ab.kernels=ROWSxCOLS): each elementwise op alone, reference against tiled on one thread. */
    @Test
    void kernelTiming() {
        String shape = System.getProperty("morse.ab.kernels");
        Assumptions.assumeTrue(shape != null && !shape.isBlank(), "opt-in: -Dmorse.ab.kernels=ROWSxCOLS");
        int rows = Integer.parseInt(shape.split("x")[0]);
        int cols = Integer.parseInt(shape.split("x")[1]);
        int n = rows * cols;
        CpuSplit.enabled = false;
        try (CpuBackend fast = new CpuBackend(); ScalarCpuBackend ref = new ScalarCpuBackend()) {
            DArray x = fast.alloc(n);
            DArray y = fast.alloc(n);
            DArray z = fast.alloc(n);
            DArray a = fast.alloc(n);
            DArray c = fast.alloc(cols);
            java.util.Random r = new java.util.Random(5);
            double[] h = new double[n];
            for (int i = 0; i < n; i++) {
                h[i] = r.nextGaussian();
            }
            for (DArray d : new DArray[] {x, y, z, a}) {
                fast.upload(h, 0, d, 0, n);
            }
            fast.upload(h, 0, c, 0, cols);
            String[] ops = {"mulShared", "mul2Shared", "biasMulShared", "columnSums", "softmaxCeTvjp", "unaryDerivatives swish",
                "biasUnary swish+derivs"};
            StringBuilder sb = new StringBuilder("kernels on " + rows + "x" + cols + " (µs, median of 21 alternating rounds; "
                    + "reference / tiled)\n");
            for (int op = 0; op < ops.length; op++) {
                double[][] t = new double[2][21];
                for (int round = -5; round < 21; round++) {
                    for (int w = 0; w < 2; w++) {
                        Backend b = w == 0 ? ref : fast;
                        long t0 = System.nanoTime();
                        for (int rep = 0; rep < 20; rep++) {
                            switch (op) {
                                case 0: b.mulShared(n, 1, 1.0, x, 0, y, 0, 0.0, z, 0); break;
                                case 1: b.mul2Shared(n, 1, x, 0, y, 0, a, 0, x, 0, 0.5, z, 0); break;
                                case 2: b.biasMulShared(rows, cols, 1, c, 0, false, z, 0, x, 0, y, 0); break;
                                case 3: b.columnSums(rows, cols, 1, 1.0, x, 0, 0.0, c, 0); break;
                                case 4: b.softmaxCeTvjp(rows, cols, 1, 1.0, x, 0, a, 0, y, 0, c, 0, c, 0, 0.0, z, 0); break;
                                case 5: b.unaryDerivatives(dev.morse.backend.UnaryFn.SWISH, 0, n, x, 0, y, 0, z, 0, a, 0); break;
                                default: b.biasUnary(dev.morse.backend.UnaryFn.SWISH, 0, rows, cols, c, 0, z, 0, y, 0, a, 0, x, 0);
                            }
                        }
                        if (round >= 0) {
                            t[w][round] = (System.nanoTime() - t0) / 1e3 / 20;
                        }
                        fast.upload(h, 0, z, 0, n);
                        fast.upload(h, 0, x, 0, n);
                    }
                }
                sb.append(String.format(Locale.ROOT, "  %-24s %9.1f %9.1f  ratio %.2f%n", ops[op], median(t[0]), median(t[1]),
                        median(t[1]) / median(t[0])));
            }
            System.err.print(sb);
            for (DArray d : new DArray[] {x, y, z, a, c}) {
                d.close();
            }
        } finally {
            CpuSplit.enabled = true;
        }
    }

    /**
     * Opt-in (-Dmorse.ab.gemm=MxNxK[,...], e.g. 10000x12x16): row-major C[M,N] = A[M,K]·B[K,N] (a
     * layer's forward and tangent product), the adjoint-shaped Aᵀ·C (K×N from M rows: a weight
     * gradient) and C·Bᵀ (M×K: the adjoint passed down), with OpenBLAS on one thread against two,
     * alternating.
     */
    @Test
    void gemmThreads() {
        String shapes = System.getProperty("morse.ab.gemm");
        Assumptions.assumeTrue(shapes != null && !shapes.isBlank(), "opt-in: -Dmorse.ab.gemm=MxNxK[,...]");
        int threads0 = CpuBackend.threads();
        StringBuilder sb = new StringBuilder("dgemm, µs (median of 21 alternating rounds): 1 thread / 2 threads\n");
        try (CpuBackend b = new CpuBackend()) {
            for (String sh : shapes.split(",")) {
                String[] f = sh.trim().split("x");
                int m = Integer.parseInt(f[0]);
                int n = Integer.parseInt(f[1]);
                int k = Integer.parseInt(f[2]);
                DArray a = b.alloc((long) m * k);
                DArray bm = b.alloc((long) k * n);
                DArray c = b.alloc((long) m * n);
                b.fill((long) m * k, 0.5, a, 0);
                b.fill((long) k * n, 0.25, bm, 0);
                b.fill((long) m * n, 0.125, c, 0);
                for (int op = 0; op < 3; op++) {
                    double[][] t = new double[2][21];
                    for (int round = -5; round < 21; round++) {
                        for (int th = 0; th < 2; th++) {
                            CpuBackend.setThreads(th + 1);
                            long t0 = System.nanoTime();
                            for (int rep = 0; rep < 20; rep++) {
                                if (op == 0) {
                                    b.gemm(false, false, m, n, k, 1.0, a, 0, k, bm, 0, n, 0.0, c, 0, n);
                                } else if (op == 1) {
                                    b.gemm(true, false, k, n, m, 1.0, a, 0, k, c, 0, n, 0.0, bm, 0, n);
                                } else {
                                    b.gemm(false, true, m, k, n, 1.0, c, 0, n, bm, 0, n, 0.0, a, 0, k);
                                }
                            }
                            if (round >= 0) {
                                t[th][round] = (System.nanoTime() - t0) / 1e3 / 20;
                            }
                        }
                    }
                    sb.append(String.format(Locale.ROOT, "  %-14s %-6s %9.1f %9.1f  ratio 2/1 %.2f%n", sh.trim(),
                            op == 0 ? "A·B" : op == 1 ? "Aᵀ·C" : "C·Bᵀ", median(t[0]), median(t[1]),
                            median(t[1]) / median(t[0])));
                }
                a.close();
                bm.close();
                c.close();
            }
        } finally {
            CpuBackend.setThreads(threads0);
        }
        System.err.print(sb);
    }

    /**
     * Opt-in (-Dmorse.ab.wide=MxNxK[,...], -Dmorse.ab.wide.k=8): k products A[M,K]·B_j[K,N] as k
     * gemm calls (what the tangent pass of an hvpBlock does for A·Ḃ_j) against one gemm
     * A·[B_1 … B_k] of width kN (what batching the directions would do), on the BLAS threads set,
     * alternating.
     */
    @Test
    void wideGemm() {
        String shapes = System.getProperty("morse.ab.wide");
        Assumptions.assumeTrue(shapes != null && !shapes.isBlank(), "opt-in: -Dmorse.ab.wide=MxNxK[,...]");
        int dirs = Integer.getInteger("morse.ab.wide.k", 8);
        StringBuilder sb = new StringBuilder("dgemm, µs per direction (median of 21 alternating rounds), "
                + dirs + " directions: separate / one wide, BLAS threads " + CpuBackend.threads() + "\n");
        try (CpuBackend b = new CpuBackend()) {
            for (String sh : shapes.split(",")) {
                String[] f = sh.trim().split("x");
                int m = Integer.parseInt(f[0]);
                int n = Integer.parseInt(f[1]);
                int k = Integer.parseInt(f[2]);
                try (DArray a = b.alloc((long) m * k); DArray bw = b.alloc((long) k * n * dirs);
                     DArray c = b.alloc((long) m * n * dirs)) {
                    b.fill((long) m * k, 0.5, a, 0);
                    b.fill((long) k * n * dirs, 0.25, bw, 0);
                    double[][] t = new double[2][21];
                    for (int round = -5; round < 21; round++) {
                        for (int way = 0; way < 2; way++) {
                            long t0 = System.nanoTime();
                            for (int rep = 0; rep < 10; rep++) {
                                if (way == 0) {
                                    for (int j = 0; j < dirs; j++) {
                                        b.gemm(false, false, m, n, k, 1.0, a, 0, k, bw, (long) j * k * n, n, 0.0,
                                                c, (long) j * m * n, n);
                                    }
                                } else {
                                    b.gemm(false, false, m, dirs * n, k, 1.0, a, 0, k, bw, 0, dirs * n, 0.0, c, 0,
                                            dirs * n);
                                }
                            }
                            if (round >= 0) {
                                t[way][round] = (System.nanoTime() - t0) / 1e3 / 10 / dirs;
                            }
                        }
                    }
                    sb.append(String.format(Locale.ROOT, "  %-14s %9.2f %9.2f  ratio wide/separate %.2f%n", sh.trim(),
                            median(t[0]), median(t[1]), median(t[1]) / median(t[0])));
                }
            }
        }
        System.err.print(sb);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
