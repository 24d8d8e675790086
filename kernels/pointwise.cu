// Elementwise kernels of the extension primitives (dev.morse.ad.prim.Sqrt, Max): kept apart
// from the activation table of elementwise.cu / morse_math.cuh. Pointers arrive already
// offset; expressions follow dev.morse.backend.cpu.CpuBackend term for term.
#include "morse_common.cuh"

// y <- sqrt(x); if d1 is not null, d1 <- 0.5/sqrt(x), d2 <- -0.5*d1/x (f', f'')
MORSE_KERNEL void morse_sqrt(long long n, const double* x, double* y, double* d1, double* d2) {
    MORSE_FOR_X(i, n) {
        double v = x[i];
        double s = sqrt(v);
        y[i] = s;
        if (d1 != 0) {
            double a = 0.5 / s;
            d1[i] = a;
            d2[i] = -0.5 * a / v;
        }
    }
}

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
