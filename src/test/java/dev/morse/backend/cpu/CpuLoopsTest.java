package dev.morse.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.IArray;
import dev.morse.backend.UnaryFn;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The tiled, split elementwise loops against the one-element-at-a-time reference
 * ({@link ScalarCpuBackend}), bit for bit: shapes below and above one tile, rows wider than a
 * tile, ranges large enough to be split over two threads, k blocks, β zero and not, and an
 * output that is also an input.
 */
class CpuLoopsTest {
    /**
     * (rows, cols): one row, tiny, a span's edge and one row per tile (256, 300, 1024), rows
     * wider than a tile, large enough to split (either threshold).
     */
    private static final int[][] SHAPES = {{1, 1}, {3, 5}, {6, 256}, {9, 300}, {7, 1024}, {5, 1500}, {4001, 12},
        {27000, 10}, {33, 2100}};

    private static void check(String what, Consumer<Backend> op, CpuBackend fast, ScalarCpuBackend ref,
                              DArray[] outs, double[][] init) {
        double[][] got = new double[outs.length][];
        double[][] want = new double[outs.length][];
        for (int pass = 0; pass < 2; pass++) {
            for (int o = 0; o < outs.length; o++) {
                fast.upload(init[o], 0, outs[o], 0, init[o].length);
            }
            op.accept(pass == 0 ? fast : ref);
            for (int o = 0; o < outs.length; o++) {
                double[] r = new double[init[o].length];
                fast.download(outs[o], 0, r, 0, r.length);
                (pass == 0 ? got : want)[o] = r;
            }
        }
        for (int o = 0; o < outs.length; o++) {
            assertArrayEquals(want[o], got[o], 0.0, what + ": output " + o);
        }
    }

    private static double[] gauss(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 2.0 * r.nextGaussian();
        }
        return v;
    }

    private static DArray up(CpuBackend b, double[] v) {
        DArray a = b.alloc(v.length);
        b.upload(v, 0, a, 0, v.length);
        return a;
    }

    @Test
    void everyLoopIsBitwiseTheReference() {
        Random r = new Random(11);
        int threads = CpuBackend.threads();
        CpuBackend.setThreads(2); // so large ranges really are split
        try (CpuBackend fast = new CpuBackend(); ScalarCpuBackend ref = new ScalarCpuBackend()) {
            for (int[] sh : SHAPES) {
                int rows = sh[0];
                int cols = sh[1];
                int n = rows * cols;
                int k = 2;
                String at = rows + "x" + cols + ": ";
                DArray x = up(fast, gauss(r, k * n));
                DArray y = up(fast, gauss(r, k * n));
                DArray a = up(fast, gauss(r, n));
                DArray bm = up(fast, gauss(r, n));
                DArray bias = up(fast, gauss(r, k * cols));
                DArray s = up(fast, gauss(r, k));
                DArray z = fast.alloc((long) k * n);
                DArray d1 = fast.alloc(n);
                DArray d2 = fast.alloc(n);
                DArray small = fast.alloc((long) k * cols);
                double[] zInit = gauss(r, k * n);
                double[] nInit = gauss(r, n);
                double[] smallInit = gauss(r, k * cols);
                DArray[] zOnly = {z};
                double[][] zI = {zInit};
                for (double beta : new double[] {0.0, 0.75}) {
                    String bt = at + "beta " + beta + ": ";
                    check(bt + "axpby", b -> b.axpby(n, 1.3, x, 1, beta, z, 1), fast, ref, zOnly, zI);
                    check(bt + "mulShared", b -> b.mulShared(n, k, -0.7, a, 0, x, 0, beta, z, 0), fast, ref, zOnly, zI);
                    check(bt + "mul2Shared", b -> b.mul2Shared(n, k, a, 0, x, 0, bm, 0, y, 0, beta, z, 0), fast, ref, zOnly, zI);
                    check(bt + "scaleByScalar", b -> b.scaleByScalar(n, k, 1.7, s, 0, true, x, 0, true, beta, z, 0),
                            fast, ref, zOnly, zI);
                    check(bt + "scaleByScalar x=1", b -> b.scaleByScalar(n, k, 1.7, s, 0, false, null, 0, false, beta, z, 0),
                            fast, ref, zOnly, zI);
                    check(bt + "columnSums", b -> b.columnSums(rows, cols, k, 0.3, x, 0, beta, small, 0),
                            fast, ref, new DArray[] {small}, new double[][] {smallInit});
                    check(bt + "sums", b -> b.sums(n, k, 0.3, x, 0, beta, small, 0),
                            fast, ref, new DArray[] {small}, new double[][] {smallInit});
                    // ℓ = s[0], ℓ̇ = s[0 .. k)
                    check(bt + "softmaxCeTvjp", b -> b.softmaxCeTvjp(rows, cols, k, 0.7, a, 0, y, 0, x, 0, s, 0,
                            s, 0, beta, z, 0), fast, ref, zOnly, zI);
                }
                check(at + "fill", b -> b.fill(n - 1, 0.25, z, 1), fast, ref, zOnly, zI);
                // the output is also an input (Unary.vjp: c ← ȳ∘c)
                check(at + "mulShared in place", b -> b.mulShared(n, 1, 1.0, x, 0, z, 0, 0.0, z, 0), fast, ref, zOnly, zI);
                check(at + "addRowVector", b -> b.addRowVector(rows, cols, k, -1.5, bias, 0, true, z, 0), fast, ref, zOnly, zI);
                check(at + "biasMulShared", b -> b.biasMulShared(rows, cols, k, bias, 0, true, z, 0, a, 0, y, 0),
                        fast, ref, new DArray[] {z, y}, new double[][] {zInit, gauss(r, k * n)});
                for (UnaryFn f : UnaryFn.values()) {
                    String ft = at + f + ": ";
                    check(ft + "unary", b -> b.unary(f, 3, n, x, 0, z, 0), fast, ref, zOnly, zI);
                    check(ft + "unaryDerivatives", b -> b.unaryDerivatives(f, 3, n, x, 0, z, 0, d1, 0, d2, 0),
                            fast, ref, new DArray[] {z, d1, d2}, new double[][] {zInit, nInit, nInit});
                    check(ft + "biasUnary", b -> b.biasUnary(f, 3, rows, cols, bias, 0, y, 0, z, 0, d1, 0, d2, 0),
                            fast, ref, new DArray[] {y, z, d1, d2}, new double[][] {gauss(r, k * n), zInit, nInit, nInit});
                    check(ft + "biasUnary value only", b -> b.biasUnary(f, 3, rows, cols, bias, 0, y, 0, z, 0, null, 0, null, 0),
                            fast, ref, new DArray[] {y, z}, new double[][] {gauss(r, k * n), zInit});
                }
                int[] labels = new int[rows];
                for (int i = 0; i < rows; i++) {
                    labels[i] = r.nextInt(cols);
                }
                IArray lab = fast.allocInt(rows);
                fast.uploadInt(labels, 0, lab, 0, rows);
                check(at + "softmaxCrossEntropy", b -> b.softmaxCrossEntropy(rows, cols, x, 0, lab, z, 0, y, 0, small, 1),
                        fast, ref, new DArray[] {z, y, small}, new double[][] {zInit, gauss(r, k * n), smallInit});
                for (DArray d : new DArray[] {x, y, a, bm, bias, s, z, d1, d2, small}) {
                    d.close();
                }
                lab.close();
            }
        } finally {
            CpuBackend.setThreads(threads);
        }
    }

    @Test
    void aFailingLabelStillThrowsWithTheSameMessage() {
        try (CpuBackend b = new CpuBackend(); DArray z = b.alloc(6); DArray p = b.alloc(6); DArray g = b.alloc(6);
             DArray l = b.alloc(1); IArray lab = b.allocInt(2)) {
            b.uploadInt(new int[] {0, 3}, 0, lab, 0, 2);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> b.softmaxCrossEntropy(2, 3, z, 0, lab, p, 0, g, 0, l, 0));
            assertEquals("softmaxCrossEntropy: label 3 of row 1 is outside [0, 3)", e.getMessage());
        }
    }
}
