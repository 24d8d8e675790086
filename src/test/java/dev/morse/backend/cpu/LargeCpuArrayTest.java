package dev.morse.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.morse.backend.DArray;
import dev.morse.backend.Inertia;
import dev.morse.index.MorseIndex;
import org.junit.jupiter.api.Test;

/**
 * Arrays past the reach of a Java buffer view (2²⁸ − 1 elements, 2 GiB): the dense index routes
 * hold an N×N Hessian that long from N = 16,384 on. The operations they use on it (fill, A + τI,
 * the inertia's read of D) must work past the view; the view's own ops stay as they are.
 * Allocates 2.1 GB off-heap.
 */
class LargeCpuArrayTest {
    private static final long VIEW = (1L << 28) - 1;

    @Test
    void fillShiftAndInertiaPastTheView() {
        int n = 16_400; // n² = 268,960,000 > 2²⁸ − 1
        long nn = (long) n * n;
        try (CpuBackend be = new CpuBackend(); DArray a = be.alloc(nn); DArray e = be.alloc(n + 1L)) {
            be.fill(nn, 0.5, a, 0);
            double[] tail = new double[3];
            be.download(a, nn - 3, tail, 0, 3);
            assertEquals(0.5, tail[2]);
            be.fill(nn, 0.0, a, 0);
            MorseIndex.addToDiagonal(be, n, a, 0, 2.0, e);
            double[] got = new double[n + 2];
            be.download(a, nn - n - 2, got, 0, n + 2); // A(n-2, n-2) .. A(n-1, n-1), row-major
            assertEquals(2.0, got[0], "A(n-2, n-2)");
            assertEquals(0.0, got[1]);
            assertEquals(2.0, got[n + 1], "A(n-1, n-1), past the view");
            assertEquals(0.0, got[n]);
        }
        // the inertia of a small matrix stored past the view: D is read through the pointer
        int m = 50;
        long off = VIEW + 1000;
        try (CpuBackend be = new CpuBackend(); DArray a = be.alloc(off + (long) m * m)) {
            double[] h = new double[m * m];
            for (int i = 0; i < m; i++) {
                h[i + i * m] = i < 7 ? -1.0 - i : 1.0 + i; // 7 negative eigenvalues
                if (i + 1 < m) {
                    h[i + 1 + i * m] = 0.25;
                    h[i + (i + 1) * m] = 0.25;
                }
            }
            be.upload(h, 0, a, off, m * m);
            Inertia in = be.inertia(m, a, off);
            assertEquals(7, in.negative());
            assertEquals(m - 7, in.positive());
        }
    }
}
