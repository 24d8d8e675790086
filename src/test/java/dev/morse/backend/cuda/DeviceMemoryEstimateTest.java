package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Memory estimates and the fits-or-explain check, without a device. */
class DeviceMemoryEstimateTest {
    private static final long GIB = 1L << 30;

    @Test
    void allocationsRoundUpToTheAlignment() {
        assertEquals(512, DeviceMemoryEstimate.allocationBytes(0, 8), "an empty array still allocates");
        assertEquals(512, DeviceMemoryEstimate.allocationBytes(64, 8));
        assertEquals(1024, DeviceMemoryEstimate.allocationBytes(65, 8));
        assertEquals(512, DeviceMemoryEstimate.allocationBytes(100, 4));
        assertThrows(IllegalArgumentException.class, () -> DeviceMemoryEstimate.allocationBytes(-1, 8));
        assertThrows(ArithmeticException.class, () -> DeviceMemoryEstimate.allocationBytes(Long.MAX_VALUE / 4, 8));
    }

    @Test
    void mlpActivationsOfFullMnistFitAnH100ButNotA16GiBCard() {
        // 784-1024-10 at 60000 examples: input, two activations and their adjoints, one tangent pass
        DeviceMemoryEstimate e = new DeviceMemoryEstimate()
                .doubles("input", 60000L * 784)
                .doubles("hidden activations", 4, 60000L * 1024)
                .doubles("logits", 4, 60000L * 10)
                .doubles("theta", 784L * 1024 + 1024 + 1024 * 10 + 10);
        long expect = 8L * 60000 * 784 + 4 * 8L * 60000 * 1024 + 4 * 8L * 60000 * 10 + 8L * 814090;
        assertTrue(e.bytes() >= expect && e.bytes() < expect + 7 * 512, "rounded sum: " + e.bytes());
        assertTrue(e.fits(79 * GIB, 80 * GIB));
        assertFalse(e.fits(2 * GIB, 16 * GIB));
        InsufficientDeviceMemoryException x = assertThrows(InsufficientDeviceMemoryException.class,
                () -> e.requireFits(2 * GIB, 16 * GIB, "cuda:0 test"));
        assertTrue(x.getMessage().contains("hidden activations (4x) 1.8 GiB"), x.getMessage());
        assertTrue(x.getMessage().contains("2.0 GiB free of 16.0 GiB"), x.getMessage());
        assertTrue(x.getMessage().contains("--backend cpu or a smaller batch"), x.getMessage());
    }

    @Test
    void reserveIsAFractionWithAFloor() {
        assertEquals(256L << 20, DeviceMemoryEstimate.reserve(GIB));
        assertEquals((long) (0.05 * 80 * GIB), DeviceMemoryEstimate.reserve(80 * GIB));
        DeviceMemoryEstimate e = new DeviceMemoryEstimate().doubles("x", 1);
        assertFalse(e.fits(256L << 20, GIB), "all free memory is in the reserve");
        assertTrue(e.fits((256L << 20) + 512, GIB));
        assertEquals("x 0.0 MiB", e.describe(3));
    }
}
