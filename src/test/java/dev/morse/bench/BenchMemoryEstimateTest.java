package dev.morse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.ad.Plan;
import dev.morse.backend.cuda.DeviceFreeCheck;
import org.junit.jupiter.api.Test;

/** The memory rows of the device-free check. */
class BenchMemoryEstimateTest {
    @Test
    void aSmallNetworksRowGivesThePlanEstimate() {
        HvpBench.Net net = HvpBench.Net.parse("16-12-8-10@100");
        DeviceFreeCheck.Row r = BenchMemoryEstimate.row(net);
        assertTrue(r.pass(), r.toString());
        long one = Plan.estimateBytes(net.program(1), 1);
        assertEquals("memory 16-12-8-10@100", r.check());
        assertTrue(r.detail().startsWith("N = 398: a plan for one HVP " + BenchMemoryEstimate.size(one) + ", + "), r.detail());
    }

    @Test
    void sizesAreReadable() {
        assertEquals("1.0 MiB", BenchMemoryEstimate.size(1L << 20));
        assertEquals("5.00 GiB", BenchMemoryEstimate.size(5L << 30));
    }
}
