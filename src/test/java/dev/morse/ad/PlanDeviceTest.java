package dev.morse.ad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import dev.morse.testing.ForwardingBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What a Plan does for a GPU, checked on the CPU: the fused bias + activation changes no bit
 * and saves a launch per layer and pass; the memory estimate is what compiling allocates; and
 * the graph policy (replay the HVP's recorded passes where that is faster) against a stand-in
 * device whose launches cost time and which records work, as a CUDA backend does.
 */
class PlanDeviceTest {
    private static final int ROWS = 30;

    private static Program crossEntropyMlp(boolean bias) {
        Mlp mlp = Mlp.builder().widths(8, 6, 5, 3).bias(bias).activation(Activation.SWISH)
                .loss(Loss.CROSS_ENTROPY).l2(1e-3).build();
        Random r = new Random(3);
        double[] x = GradCheck.gaussian(r, ROWS * 8, 1.0);
        int[] y = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            y[i] = r.nextInt(3);
        }
        return mlp.crossEntropy(x, ROWS, y);
    }

    private static Program mseAutoencoder() {
        Mlp mlp = Mlp.builder().widths(6, 4, 6).activation(Activation.TANH).loss(Loss.MSE).build();
        Random r = new Random(4);
        double[] x = GradCheck.gaussian(r, ROWS * 6, 1.0);
        return mlp.mse(x, ROWS, x);
    }

    /** Everything a plan computes at one θ, downloaded. */
    private record Results(double value, double[] grad, double[] hv, double[] block, double[] hess) {
    }

    private static double[] get(Backend b, DArray a, int n) {
        double[] v = new double[n];
        b.download(a, 0, v, 0, n);
        return v;
    }

    private static Results compute(Backend b, Plan plan, long seed) {
        int n = plan.n();
        int k = 3;
        Random r = new Random(seed);
        try (DArray th = b.alloc(n); DArray v = b.alloc((long) k * n); DArray out = b.alloc((long) k * n);
             DArray h = b.alloc((long) n * n)) {
            b.upload(GradCheck.gaussian(r, n, 0.5), 0, th, 0, n);
            b.upload(GradCheck.gaussian(r, k * n, 1.0), 0, v, 0, k * n);
            Linearization lin = plan.at(th, 0);
            double value = lin.value();
            double[] grad = get(b, lin.gradient(), n);
            lin.hvp(v, 0, out, 0);
            lin.hvp(v, 0, out, 0); // the second one is replayed where a graph was kept
            double[] hv = get(b, out, n);
            lin.hvpBlock(k, v, 0, out, 0);
            double[] block = get(b, out, k * n);
            lin.hessian(h, 0);
            return new Results(value, grad, hv, block, get(b, h, n * n));
        }
    }

    private static void assertSame(Results a, Results b) {
        assertEquals(a.value(), b.value(), 0.0, "value");
        assertArrayEquals(a.grad(), b.grad(), "gradient");
        assertArrayEquals(a.hv(), b.hv(), "hvp");
        assertArrayEquals(a.block(), b.block(), "hvpBlock");
        assertArrayEquals(a.hess(), b.hess(), "hessian");
    }

    // ---------------------------------------------------------------- fusion

    @Test
    void fusedBiasActivationChangesNoBitAndSavesALaunchPerLayerAndPass() {
        Program p = crossEntropyMlp(true);
        Plan.Options unfusedOpt = Plan.Options.defaults().withFusion(false);
        try (ForwardingBackend b = new ForwardingBackend(new CpuBackend());
             Plan fused = Plan.compile(p, b); Plan unfused = Plan.compile(p, b, unfusedOpt)) {
            assertEquals(2, fused.fusedLayers(), "both hidden layers (affine → swish)");
            assertEquals(0, unfused.fusedLayers());
            assertSame(compute(b, unfused, 5), compute(b, fused, 5));

            double[] th = GradCheck.gaussian(new Random(6), fused.n(), 0.5);
            try (DArray v = b.alloc(fused.n()); DArray out = b.alloc(fused.n())) {
                long[] at = new long[2];
                long[] hvp = new long[2];
                Plan[] plans = {unfused, fused};
                for (int i = 0; i < 2; i++) {
                    long l0 = b.launches();
                    Linearization lin = plans[i].at(th);
                    long l1 = b.launches();
                    lin.hvp(v, 0, out, 0);
                    long l2 = b.launches();
                    at[i] = l1 - l0;
                    hvp[i] = l2 - l1;
                }
                assertEquals(at[0] - 2, at[1], "linearization: one launch fewer per fused layer");
                assertEquals(hvp[0] - 2, hvp[1], "HVP: one launch fewer per fused layer");
            }
        }
    }

    @Test
    void fusionOnlyWhereTheAffineOutputHasNoOtherConsumer() {
        try (Backend b = new CpuBackend()) {
            Tracer t = new Tracer(4 * 3 + 3);
            Value x = t.data("x", GradCheck.gaussian(new Random(7), 5 * 4, 1.0), 5, 4);
            Value z = x.affine(t.param(0, 4, 3), t.param(12, 1, 3));
            Program twoUses = t.program(z.tanh().add(z).square().sum());
            try (Plan plan = Plan.compile(twoUses, b); Plan ref = Plan.compile(twoUses, b,
                    Plan.Options.defaults().withFusion(false))) {
                assertEquals(0, plan.fusedLayers(), "Z is also used by the add: its bias must be added in place");
                assertSame(compute(b, ref, 8), compute(b, plan, 8));
            }
            try (Plan noBias = Plan.compile(crossEntropyMlp(false), b)) {
                assertEquals(0, noBias.fusedLayers(), "no bias, nothing to fuse");
            }
        }
    }

    @Test
    void aConstantBiasFusesAndAConstantProductDoesNotAndNeitherChangesABit() {
        try (Backend b = new CpuBackend()) {
            Random r = new Random(9);
            Tracer t = new Tracer(4 * 3 + 3);
            Value x = t.data("x", GradCheck.gaussian(r, 5 * 4, 1.0), 5, 4);
            Value c = t.data("c", GradCheck.gaussian(r, 3, 1.0), 1, 3);
            Value w = t.data("w", GradCheck.gaussian(r, 4 * 3, 1.0), 4, 3);
            // layer 1: W from θ, a constant bias (ẋ gets no ḃ); layer 2: a constant product, the bias from θ
            Value h = x.affine(t.param(0, 4, 3), c).tanh();
            Value g = x.affine(w, t.param(12, 1, 3)).sigmoid();
            Program p = t.program(h.mul(g).square().sum());
            Plan.Options off = Plan.Options.defaults().withFusion(false);
            try (Plan plan = Plan.compile(p, b); Plan ref = Plan.compile(p, b, off)) {
                assertEquals(1, plan.fusedLayers(), "only the layer whose product depends on θ");
                assertSame(compute(b, ref, 10), compute(b, plan, 10));
            }
            long before = b.liveBytes();
            try (Plan ref = Plan.compile(p, b, off.withMaxBlock(2))) {
                assertEquals(Plan.estimateBytes(p, 2, off), b.liveBytes() - before, "unfused estimate vs allocation");
                assertEquals(Plan.estimateBytes(p, 2), Plan.estimateBytes(p, 2, off), "fusion moves no byte");
            }
        }
    }

    // ---------------------------------------------------------------- memory

    @Test
    void memoryEstimateIsExactlyWhatCompilingAllocates() {
        for (Program p : new Program[] {crossEntropyMlp(true), crossEntropyMlp(false), mseAutoencoder()}) {
            for (int k : new int[] {1, 4}) {
                try (Backend b = new CpuBackend()) {
                    long before = b.liveBytes();
                    try (Plan plan = Plan.compile(p, b, Plan.Options.defaults().withMaxBlock(k))) {
                        assertEquals(Plan.estimateBytes(p, plan.blockCapacity()), b.liveBytes() - before,
                                "estimate vs allocation, k = " + plan.blockCapacity());
                    }
                    assertEquals(before, b.liveBytes(), "closing the plan frees it all");
                }
            }
        }
    }

    @Test
    void aPlanThatDoesNotFitFailsBeforeAllocatingAndNamesTheSizes() {
        Program p = mseAutoencoder();
        try (Backend cpu = new CpuBackend(); ForwardingBackend small = new ForwardingBackend(cpu) {
            @Override
            public void ensureFits(long bytes, String what) {
                throw new IllegalStateException("needs " + bytes + " bytes for " + what);
            }
        }) {
            long before = cpu.allocations();
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> Plan.compile(p, small));
            assertTrue(e.getMessage().contains("a plan for N = "), e.getMessage());
            assertEquals(before, cpu.allocations(), "nothing allocated before the check");
        }
    }

    // ---------------------------------------------------------------- graphs

    /**
     * A stand-in for a GPU: every call that queues device work costs {@code launchNanos} of
     * busy time (the JNI + driver overhead that makes small networks launch-bound), and
     * {@link #record} returns a replay that runs the recorded work for one launch's cost plus
     * {@code replayExtraNanos}. Recording does not execute the work, as on a device.
     */
    static final class LaunchBoundBackend extends ForwardingBackend {
        final long launchNanos;
        final long replayExtraNanos;
        int recorded;
        int replays;
        int closedReplays;
        private boolean inReplay;
        private boolean recording;

        LaunchBoundBackend(long launchNanos, long replayExtraNanos) {
            super(new CpuBackend());
            this.launchNanos = launchNanos;
            this.replayExtraNanos = replayExtraNanos;
        }

        private static void spin(long nanos) {
            long end = System.nanoTime() + nanos;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }

        @Override
        protected void launch() {
            super.launch();
            if (recording) {
                throw new AssertionError("recording must not execute work");
            }
            if (!inReplay) {
                spin(launchNanos);
            }
        }

        @Override
        public Replay record(Runnable work) {
            recorded++;
            return new Replay() {
                private boolean closed;

                @Override
                public void launch() {
                    if (closed) {
                        throw new IllegalStateException("replay used after close");
                    }
                    replays++;
                    spin(launchNanos + replayExtraNanos);
                    inReplay = true;
                    try {
                        work.run();
                    } finally {
                        inReplay = false;
                    }
                }

                @Override
                public void close() {
                    if (!closed) {
                        closed = true;
                        closedReplays++;
                    }
                }
            };
        }
    }

    private static Results reference(Program p) {
        try (Backend b = new CpuBackend(); Plan plan = Plan.compile(p, b, Plan.Options.defaults().withMaxBlock(2))) {
            return compute(b, plan, 9);
        }
    }

    @Test
    void launchBoundDeviceKeepsTheGraphAndReplaysGiveTheSameBits() {
        Program p = crossEntropyMlp(true);
        Results ref = reference(p);
        try (LaunchBoundBackend b = new LaunchBoundBackend(200_000, 0);
             Plan plan = Plan.compile(p, b, Plan.Options.defaults().withMaxBlock(2))) {
            Results got = compute(b, plan, 9);
            assertSame(ref, got);
            assertTrue(plan.replayed(1) && plan.replayed(2), "a replay (one launch) beats ~40 launches");
            assertTrue(b.replays > 0);
            assertEquals(2, b.recorded, "recorded once per block size (1 and 2), not per call");
            plan.close();
            assertEquals(2, b.closedReplays, "the plan closes its replays");
        }
    }

    @Test
    void slowerReplayIsDiscarded() {
        Program p = crossEntropyMlp(true);
        try (LaunchBoundBackend b = new LaunchBoundBackend(0, 20_000_000);
             Plan plan = Plan.compile(p, b, Plan.Options.defaults().withMaxBlock(2))) {
            assertSame(reference(p), compute(b, plan, 9));
            assertFalse(plan.replayed(1), "a replay slower than direct launches is not kept");
            assertEquals(b.recorded, b.closedReplays, "a discarded replay is closed at once");
        }
    }

    @Test
    void graphPolicyNeverAndAlways() {
        Program p = crossEntropyMlp(true);
        Results ref = reference(p);
        try (LaunchBoundBackend b = new LaunchBoundBackend(0, 20_000_000);
             Plan never = Plan.compile(p, b, Plan.Options.defaults().withMaxBlock(2).withGraphs(Plan.Graphs.NEVER))) {
            assertSame(ref, compute(b, never, 9));
            assertEquals(0, b.recorded);
        }
        try (LaunchBoundBackend b = new LaunchBoundBackend(0, 1_000_000);
             Plan always = Plan.compile(p, b, Plan.Options.defaults().withMaxBlock(2).withGraphs(Plan.Graphs.ALWAYS))) {
            assertSame(ref, compute(b, always, 9));
            assertTrue(always.replayed(1), "ALWAYS keeps even a slower replay");
        }
    }
}
