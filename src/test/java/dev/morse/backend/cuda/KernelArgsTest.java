package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Argument packing: values in order, type checks against the kernel signature, reuse. */
class KernelArgsTest {
    record Buf(long elements, boolean ints) implements DeviceBuffer {
    }

    private final Buf d = new Buf(10, false);
    private final Buf i = new Buf(10, true);

    @Test
    void packsValuesInOrderAndMatchesTheSignature() {
        KernelArgs a = new KernelArgs().i64(7).f64(-2.5).ptr(d, 3);
        a.check(Kernel.FILL);
        assertEquals(3, a.count());
        assertEquals(7, a.integer(0));
        assertEquals(-2.5, a.real(1));
        assertEquals(d, a.buffer(2));
        assertEquals(3, a.offset(2));
    }

    @Test
    void wrongTypeOrCountIsCaughtBeforeLaunch() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new KernelArgs().i32(7).f64(1).ptr(d, 0).check(Kernel.FILL));
        assertTrue(e.getMessage().contains("argument 0 is long long"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new KernelArgs().i64(7).f64(1).check(Kernel.FILL));
        assertThrows(IllegalStateException.class, () -> new KernelArgs().i64(1).real(0));
    }

    @Test
    void pointersAreTypedAndBounded() {
        assertThrows(IllegalArgumentException.class, () -> new KernelArgs().ptr(i, 0));
        assertThrows(IllegalArgumentException.class, () -> new KernelArgs().iptr(d, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> new KernelArgs().ptr(d, 11));
        assertThrows(IllegalArgumentException.class, () -> new KernelArgs().ptr(null, 1));
        KernelArgs a = new KernelArgs().ptr(null, 0).iptr(i, 10);
        assertNull(a.buffer(0));
        assertEquals(10, a.offset(1));
    }

    @Test
    void resetReusesTheInstance() {
        KernelArgs a = new KernelArgs();
        for (int round = 0; round < 3; round++) {
            a.reset().i64(round).f64(round).ptr(d, round);
            a.check(Kernel.FILL);
            assertEquals(round, a.integer(0));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> a.type(3));
        KernelArgs full = new KernelArgs();
        for (int k = 0; k < KernelArgs.MAX; k++) {
            full.i32(k);
        }
        assertThrows(IllegalStateException.class, () -> full.i32(0));
    }
}
