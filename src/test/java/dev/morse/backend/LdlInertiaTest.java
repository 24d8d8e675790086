package dev.morse.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Counting the inertia from D blocks and pivots, in LAPACK's and a 0-based convention. */
class LdlInertiaTest {
    private static final LinalgStatus OK = new LinalgStatus("test", 0);

    @Test
    void oneByOneBlocksCountBySign() {
        Inertia in = LdlInertia.count(4, new double[] {2, -1, 0, 3}, new double[] {9, 9, 9}, new int[] {1, 2, 3, 4}, OK);
        assertEquals(new Inertia(1, 1, 2, OK), in);
        // 0-based pivots (no interchange in row 0 reads 0): the same count
        assertEquals(in, LdlInertia.count(4, new double[] {2, -1, 0, 3}, new double[] {9, 9, 9}, new int[] {0, 1, 2, 3}, OK));
    }

    @Test
    void twoByTwoBlocksBySignOfDeterminantAndTrace() {
        // det < 0: one of each; det > 0 and trace < 0: both negative; det = 0: one zero
        double[] diag = {1, 1, -3, -2, 2, 0, 5};
        double[] sub = {4, 0, 1, 0, 0, 0};
        int[] ipiv = {-2, -2, -4, -4, -6, -6, 7};
        assertEquals(new Inertia(3, 1, 3, OK), LdlInertia.count(7, diag, sub, ipiv, OK));
        // the zero 2x2 block: two zeros
        assertEquals(new Inertia(0, 2, 0, OK),
                LdlInertia.count(2, new double[] {0, 0}, new double[] {0}, new int[] {-1, -1}, OK));
    }

    @Test
    void malformedPivotsAreRejected() {
        assertThrows(IllegalStateException.class,
                () -> LdlInertia.count(2, new double[] {1, 1}, new double[] {0}, new int[] {-1, 2}, OK));
        assertThrows(IllegalStateException.class,
                () -> LdlInertia.count(1, new double[] {1}, new double[0], new int[] {-1}, OK));
    }
}
