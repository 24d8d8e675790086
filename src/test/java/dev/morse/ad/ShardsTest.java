package dev.morse.ad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import dev.morse.testing.ForwardingBackend;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A loss split by rows ({@link Shards}) is the unsplit plan's loss: value, gradient, JVP, HVP,
 * hvpBlock and the dense Hessian agree to rounding for every loss and reduction, with l2, for
 * 2 and 3 shards; and the lanes give the same bits run at once as one after another.
 */
class ShardsTest {
    private static final int ROWS = 301; // not a multiple of 2 or 3: shards of unequal size

    private static double[] gaussian(Random r, int len) {
        return GradCheck.gaussian(r, len, 1.0);
    }

    /** value, gradient, JVP, HVP, hvpBlock (k = 3, beyond a capacity of 2), Hessian: all of them, flattened. */
    private static double[] everything(Objective o, double[] th, double[] v) {
        Backend b = o.backend();
        int n = o.n();
        int k = 3;
        try (DArray dth = b.alloc(n); DArray dv = b.alloc((long) k * n); DArray out = b.alloc((long) k * n);
             DArray h = b.alloc((long) n * n)) {
            b.upload(th, 0, dth, 0, n);
            b.upload(v, 0, dv, 0, k * n);
            double value = o.value(dth, 0);
            Linearization lin = o.at(dth, 0);
            double[] r = new double[3 + 2 * n + k * n + n * n];
            r[0] = value;
            r[1] = lin.value();
            r[2] = lin.jvp(dv, 0);
            b.download(lin.gradient(), 0, r, 3, n);
            lin.hvpBlock(k, dv, 0, out, 0);
            b.download(out, 0, r, 3 + n, k * n);
            lin.hvp(dv, n, out, 0);
            b.download(out, 0, r, 3 + n + k * n, n);
            lin.hessian(h, 0);
            b.download(h, 0, r, 3 + 2 * n + k * n, n * n);
            assertEquals(lin.gradNormSq(), dot(r, 3, n), 1e-12 * Math.max(1, lin.gradNormSq()));
            return r;
        }
    }

    private static double dot(double[] a, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[off + i] * a[off + i];
        }
        return s;
    }

    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length);
        double scale = 0;
        for (double w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-12 * scale, what + ": entry " + i);
        }
    }

    private static void check(Mlp mlp, Function<Integer, List<Program>> programs, long seed) {
        Random r = new Random(seed);
        Plan.Options opt = Plan.Options.defaults().withMaxBlock(2);
        try (Backend b = new CpuBackend()) {
            Program whole = programs.apply(1).get(0);
            int n = whole.nParams();
            double[] th = gaussian(r, n);
            double[] v = gaussian(r, 3 * n);
            double[] want;
            try (Plan p = Plan.compile(whole, b, opt)) {
                want = everything(p, th, v);
            }
            for (int s : new int[] {2, 3}) {
                try (Shards sh = Shards.compile(programs.apply(s), b, opt)) {
                    assertEquals(s, sh.shards());
                    assertEquals(2, sh.blockCapacity());
                    assertClose(want, everything(sh, th, v), mlp + " in " + s + " shards");
                }
            }
        }
    }

    private static Mlp.Builder net() {
        return Mlp.builder().widths(5, 7, 4).activation(Activation.SWISH);
    }

    @Test
    void crossEntropyWithL2() {
        Mlp m = net().loss(Loss.CROSS_ENTROPY).l2(0.01).build();
        Random r = new Random(1);
        double[] x = gaussian(r, ROWS * 5);
        int[] y = r.ints(ROWS, 0, 4).toArray();
        check(m, s -> m.programs(x, ROWS, y, s), 2);
    }

    @Test
    void crossEntropySummed() {
        Mlp m = net().loss(Loss.CROSS_ENTROPY).reduction(Loss.Reduction.SUM).build();
        Random r = new Random(3);
        double[] x = gaussian(r, ROWS * 5);
        int[] y = r.ints(ROWS, 0, 4).toArray();
        check(m, s -> m.programs(x, ROWS, y, s), 4);
    }

    @Test
    void mseAndBinaryCrossEntropy() {
        Random r = new Random(5);
        double[] x = gaussian(r, ROWS * 5);
        Mlp mse = net().loss(Loss.MSE).l2(0.02).build();
        double[] y = gaussian(r, ROWS * 4);
        check(mse, s -> mse.programs(x, ROWS, y, s), 6);
        Mlp bce = net().loss(Loss.BCE_WITH_LOGITS).build();
        double[] t = new double[ROWS * 4];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextDouble();
        }
        check(bce, s -> bce.programs(x, ROWS, t, s), 7);
    }

    @Test
    void theWholeProgramIsOneShard() {
        Mlp m = net().loss(Loss.CROSS_ENTROPY).build();
        Random r = new Random(8);
        double[] x = gaussian(r, ROWS * 5);
        int[] y = r.ints(ROWS, 0, 4).toArray();
        assertEquals(m.program(x, ROWS, y).toString(), m.programs(x, ROWS, y, 1).get(0).toString());
        assertThrows(IllegalArgumentException.class, () -> m.programs(x, ROWS, y, 0));
        assertThrows(IllegalArgumentException.class, () -> m.programs(x, ROWS, y, ROWS + 1));
        int[] bad = y.clone();
        bad[200] = 4;
        assertThrows(IllegalArgumentException.class, () -> m.programs(x, ROWS, bad, 2));
    }

    /** Run at once (two BLAS threads: one lane each) and one after another (one thread): the same bits. */
    @Test
    void lanesAtOnceAndInTurnGiveTheSameBits() {
        Mlp m = Mlp.builder().widths(16, 12, 8, 10).activation(Activation.SWISH).loss(Loss.CROSS_ENTROPY).build();
        Random r = new Random(9);
        int rows = 4000;
        double[] x = gaussian(r, rows * 16);
        int[] y = r.ints(rows, 0, 10).toArray();
        int threads = CpuBackend.threads();
        try (Backend b = new CpuBackend(); Shards sh = Shards.compile(m.programs(x, rows, y, 2), b)) {
            double[] th = m.init(1);
            double[] v = gaussian(r, 3 * sh.n());
            CpuBackend.setThreads(2);
            assertTrue(sh.concurrent());
            double[] atOnce = everything(sh, th, v);
            CpuBackend.setThreads(1);
            assertTrue(!sh.concurrent());
            double[] inTurn = everything(sh, th, v);
            assertArrayEquals(atOnce, inTurn);
        } finally {
            CpuBackend.setThreads(threads);
        }
    }

    /** A backend without lanes (CUDA) runs every shard on itself, one after another: the same bits as the lanes. */
    @Test
    void aBackendWithoutLanesRunsTheShardsInTurn() {
        Mlp m = net().loss(Loss.CROSS_ENTROPY).l2(0.01).build();
        Random r = new Random(11);
        double[] x = gaussian(r, ROWS * 5);
        int[] y = r.ints(ROWS, 0, 4).toArray();
        double[] th = m.init(2);
        double[] v = gaussian(r, 3 * m.nParams());
        Plan.Options opt = Plan.Options.defaults().withMaxBlock(2);
        try (Backend cpu = new CpuBackend(); Backend one = new ForwardingBackend(cpu)) {
            assertEquals(1, one.parallelLanes());
            assertEquals(1, Shards.auto(one, 100_000));
            double[] lanes;
            try (Shards sh = Shards.compile(m.programs(x, ROWS, y, 3), cpu, opt)) {
                lanes = everything(sh, th, v);
            }
            try (Shards sh = Shards.compile(m.programs(x, ROWS, y, 3), one, opt)) {
                assertTrue(!sh.concurrent());
                assertArrayEquals(lanes, everything(sh, th, v));
            }
        }
    }

    @Test
    void autoSplitsOnePerLaneWithEnoughRows() {
        int threads = CpuBackend.threads();
        try (Backend b = new CpuBackend()) {
            CpuBackend.setThreads(2);
            assertEquals(2, Shards.auto(b, 2 * Shards.MIN_ROWS));
            assertEquals(1, Shards.auto(b, 2 * Shards.MIN_ROWS - 1));
            CpuBackend.setThreads(1);
            assertEquals(1, Shards.auto(b, 100_000));
        } finally {
            CpuBackend.setThreads(threads);
        }
    }

    @Test
    void warmCallsAllocateNoArraysAndCloseFreesAll() {
        Mlp m = net().loss(Loss.CROSS_ENTROPY).build();
        Random r = new Random(10);
        double[] x = gaussian(r, ROWS * 5);
        int[] y = r.ints(ROWS, 0, 4).toArray();
        try (Backend b = new CpuBackend()) {
            Shards sh = Shards.compile(m.programs(x, ROWS, y, 2), b);
            int n = sh.n();
            try (DArray th = b.alloc(n); DArray v = b.alloc(n); DArray out = b.alloc(n)) {
                b.upload(m.init(1), 0, th, 0, n);
                b.upload(gaussian(r, n), 0, v, 0, n);
                for (int i = 0; i < 200; i++) { // JIT
                    sh.at(th, 0).hvp(v, 0, out, 0);
                }
                long before = b.allocations();
                com.sun.management.ThreadMXBean mx =
                        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                long id = Thread.currentThread().getId();
                long probe0 = mx.getThreadAllocatedBytes(id);
                long probe = mx.getThreadAllocatedBytes(id) - probe0;
                long heap = Long.MAX_VALUE;
                for (int round = 0; round < 5; round++) { // the least: a JIT event lands in one round only
                    long h0 = mx.getThreadAllocatedBytes(id);
                    Linearization lin = sh.at(th, 0);
                    lin.hvp(v, 0, out, 0);
                    lin.hvpBlock(1, v, 0, out, 0);
                    heap = Math.min(heap, mx.getThreadAllocatedBytes(id) - h0 - probe);
                }
                assertEquals(before, b.allocations());
                assertTrue(heap <= 0, "Java heap bytes allocated by a warm sharded gradient and HVP: " + heap);
                long live = b.liveBytes();
                sh.close();
                assertTrue(b.liveBytes() < live, "closing the shards frees lane 0's arrays");
                assertEquals(3L * 8 * n, b.liveBytes(), "only the test's own three vectors remain");
                assertThrows(IllegalStateException.class, () -> sh.value(th, 0));
            }
        }
    }
}
