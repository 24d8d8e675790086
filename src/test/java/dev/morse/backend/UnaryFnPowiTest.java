package dev.morse.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** powi and its derivatives at the ends of the int range (the kernels widen the same way). */
class UnaryFnPowiTest {
    @Test
    void powiHandlesTheExtremeExponents() {
        // Integer.MIN_VALUE used to recurse forever (negation overflow)
        assertEquals(1.0, UnaryFn.powi(1.0, Integer.MIN_VALUE));
        assertEquals(0.0, UnaryFn.powi(2.0, Integer.MIN_VALUE));
        assertEquals(Double.POSITIVE_INFINITY, UnaryFn.POWI.d1(2.0, Integer.MAX_VALUE));
        assertEquals(-0.25, UnaryFn.POWI.d1(2.0, -2), 0.0);
        assertEquals(0.375, UnaryFn.POWI.d2(2.0, -2), 0.0);
    }
}
