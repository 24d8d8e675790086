package dev.morse.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A warm gradient, HVP and hvpBlock allocate nothing: no device arrays, and no Java heap either. */
class ZeroAllocationTest {
    /** Heap bytes a warm call may allocate: none (the JIT's escape analysis must leave nothing). */
    private static final long HEAP_SLACK = 0;
    /** Measured rounds after warm-up; the least allocation counts. */
    private static final int ROUNDS = 5;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long threadAllocatedBytes() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void warmGradientHvpAndBlockAllocateNothing() {
        Mlp mlp = Mlp.builder().widths(8, 6, 5, 3).activation(Activation.SWISH).loss(Loss.CROSS_ENTROPY).l2(1e-3)
                .build();
        Random r = new Random(1);
        int n = 40;
        double[] x = GradCheck.gaussian(r, n * 8, 1.0);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3);
        }
        try (Backend b = new CpuBackend(); Plan plan = Plan.compile(mlp.crossEntropy(x, n, y), b)) {
            int nn = plan.n();
            int k = 4;
            DArray th = b.alloc(nn);
            DArray v = b.alloc((long) k * nn);
            DArray out = b.alloc((long) k * nn);
            b.upload(mlp.init(2), 0, th, 0, nn);
            b.upload(GradCheck.gaussian(r, k * nn, 1.0), 0, v, 0, k * nn);
            // warm up (JIT, lazily created workspaces)
            for (int i = 0; i < 200; i++) {
                Linearization lin = plan.at(th, 0);
                lin.hvp(v, 0, out, 0);
                lin.hvpBlock(k, v, 0, out, 0);
            }
            long devBefore = b.allocations();
            // the probe itself allocates a little: measure it and subtract
            long probe0 = threadAllocatedBytes();
            long probe = threadAllocatedBytes() - probe0;
            // The least over several rounds: a real allocation shows in every round, while a JIT
            // recompilation that lands in one round (seen in the full suite, once other classes
            // made call sites polymorphic) allocates only in that one.
            long heap = Long.MAX_VALUE;
            for (int round = 0; round < ROUNDS; round++) {
                long heapBefore = threadAllocatedBytes();
                Linearization lin = plan.at(th, 0);
                lin.gradNormSq();
                lin.hvp(v, 0, out, 0);
                lin.hvpBlock(k, v, 0, out, 0);
                heap = Math.min(heap, threadAllocatedBytes() - heapBefore - probe);
            }
            assertEquals(devBefore, b.allocations(), "device arrays allocated by a warm gradient/HVP/hvpBlock");
            assertTrue(heap <= HEAP_SLACK, "Java heap bytes allocated by a warm gradient/HVP/hvpBlock: " + heap);
            th.close();
            v.close();
            out.close();
        }
    }
}
