// Elementwise kernels of the extension primitives (dev.morse.ad.prim.Max): kept apart
// from the function table of elementwise.cu / morse_math.cuh (where sqrt is). Pointers arrive already
// offset; expressions follow dev.morse.backend.cpu.CpuBackend term for term.
#include "morse_common.cuh"

// y <- max(a, b) (NaN propagates); if m is not null, m <- 1 where a >= b or a is NaN, else 0
MORSE_KERNEL void morse_max(long long n, const double* a, const double* b, double* y, double* m) {
    MORSE_FOR_X(i, n) {
        double u = a[i];
        double w = b[i];
        bool first = u >= w || u != u;
        y[i] = first ? u : w;
        if (m != 0) {
            m[i] = first ? 1.0 : 0.0;
        }
    }
}
