// Elementwise kernels of the Backend contract that cuBLAS does not cover. Pointers arrive
// already offset (the Java side adds the element offsets); every loop is grid-stride over
// a flat 64-bit index, blocks of a k-block operation run along grid y.
// Expressions follow dev.morse.backend.cpu.CpuBackend term for term (same association),
// so the host harness reproduces the CPU backend.
#include "morse_common.cuh"
#include "morse_math.cuh"

// y <- v
MORSE_KERNEL void morse_fill(long long n, double v, double* MORSE_RESTRICT y) {
    MORSE_FOR_X(i, n) {
        y[i] = v;
    }
}

// y <- a*x + b*y; b == 0 overwrites (old y ignored even if NaN). x may equal y.
MORSE_KERNEL void morse_axpby(long long n, double a, const double* x, double b, double* y) {
    if (b == 0.0) {
        MORSE_FOR_X(i, n) {
            y[i] = a * x[i];
        }
    } else {
        MORSE_FOR_X(i, n) {
            y[i] = a * x[i] + b * y[i];
        }
    }
}

// y <- f(x)
MORSE_KERNEL void morse_unary(int code, int p, long long n, const double* x, double* y) {
    MORSE_FOR_X(i, n) {
        y[i] = morse_f(code, p, x[i]);
    }
}

// y <- f(x), d1 <- f'(x), d2 <- f''(x) in one pass
MORSE_KERNEL void morse_unary_derivatives(int code, int p, long long n, const double* x,
                                          double* y, double* d1, double* d2) {
    MORSE_FOR_X(i, n) {
        double v;
        double a;
        double b;
        morse_f012(code, p, x[i], &v, &a, &b);
        y[i] = v;
        d1[i] = a;
        d2[i] = b;
    }
}

// z_j <- beta*z_j + alpha*x o y_j, j < k; x shared
MORSE_KERNEL void morse_mul_shared(long long n, int k, double alpha, const double* x,
                                   const double* y, double beta, double* z) {
    MORSE_FOR_Y(j, k) {
        const double* yj = y + (long long)j * n;
        double* zj = z + (long long)j * n;
        MORSE_FOR_X(i, n) {
            if (beta == 0.0) {
                zj[i] = alpha * x[i] * yj[i];
            } else {
                zj[i] = beta * zj[i] + alpha * x[i] * yj[i];
            }
        }
    }
}

// z_j <- beta*z_j + a o x_j + b o y_j, j < k; a and b shared
MORSE_KERNEL void morse_mul2_shared(long long n, int k, const double* a, const double* x,
                                    const double* b, const double* y, double beta, double* z) {
    MORSE_FOR_Y(j, k) {
        const double* xj = x + (long long)j * n;
        const double* yj = y + (long long)j * n;
        double* zj = z + (long long)j * n;
        MORSE_FOR_X(i, n) {
            if (beta == 0.0) {
                zj[i] = a[i] * xj[i] + b[i] * yj[i];
            } else {
                zj[i] = beta * zj[i] + a[i] * xj[i] + b[i] * yj[i];
            }
        }
    }
}

// y_j <- beta*y_j + alpha*s_j*x_j, j < k. sPerBlock: s[j], else s[0].
// xMode: 0 = no x (x = 1), 1 = x shared, 2 = x per block.
MORSE_KERNEL void morse_scale_by_scalar(long long n, int k, double alpha, const double* s,
                                        int sPerBlock, const double* x, int xMode, double beta,
                                        double* y) {
    MORSE_FOR_Y(j, k) {
        double a = alpha * s[sPerBlock ? j : 0];
        double* yj = y + (long long)j * n;
        if (xMode == 0) {
            MORSE_FOR_X(i, n) {
                yj[i] = beta == 0.0 ? a : beta * yj[i] + a;
            }
        } else {
            const double* xj = xMode == 2 ? x + (long long)j * n : x;
            MORSE_FOR_X(i, n) {
                if (beta == 0.0) {
                    yj[i] = a * xj[i];
                } else {
                    yj[i] = beta * yj[i] + a * xj[i];
                }
            }
        }
    }
}

// z_j[r,c] <- z_j[r,c] + alpha*b_j[c] over k blocks of rows x cols; b per block if bPerBlock
MORSE_KERNEL void morse_add_row_vector(int rows, int cols, int k, double alpha, const double* b,
                                       int bPerBlock, double* z) {
    long long size = (long long)rows * cols;
    MORSE_FOR_Y(j, k) {
        const double* bj = bPerBlock ? b + (long long)j * cols : b;
        double* zj = z + (long long)j * size;
        MORSE_FOR_X(i, size) {
            zj[i] = zj[i] + alpha * bj[i % cols];
        }
    }
}

// A dense layer's bias and activation in one pass: z[r,c] <- z[r,c] + b[c] (in place: the
// pre-activation is kept for the derivative rules), y <- f(z), and if d1 is not null also
// d1 <- f'(z), d2 <- f''(z). The same arithmetic as morse_add_row_vector (alpha = 1) then
// morse_unary / morse_unary_derivatives, in one launch and one read of z.
MORSE_KERNEL void morse_bias_unary(int code, int p, int rows, int cols, const double* b, double* z,
                                   double* y, double* d1, double* d2) {
    long long size = (long long)rows * cols;
    if (d1 == 0) {
        MORSE_FOR_X(i, size) {
            double v = z[i] + b[i % cols];
            z[i] = v;
            y[i] = morse_f(code, p, v);
        }
    } else {
        MORSE_FOR_X(i, size) {
            double v = z[i] + b[i % cols];
            double fv;
            double a;
            double c;
            morse_f012(code, p, v, &fv, &a, &c);
            z[i] = v;
            y[i] = fv;
            d1[i] = a;
            d2[i] = c;
        }
    }
}

// Its tangent for k blocks: z_j[r,c] <- z_j[r,c] + b_j[c] (in place; b per block if bPerBlock),
// y_j <- d o z_j with d = f'(z) shared. The same arithmetic as morse_add_row_vector (alpha = 1)
// then morse_mul_shared (alpha = 1, beta = 0).
MORSE_KERNEL void morse_bias_mul_shared(int rows, int cols, int k, const double* b, int bPerBlock,
                                        double* z, const double* d, double* y) {
    long long size = (long long)rows * cols;
    MORSE_FOR_Y(j, k) {
        const double* bj = bPerBlock ? b + (long long)j * cols : b;
        double* zj = z + (long long)j * size;
        double* yj = y + (long long)j * size;
        MORSE_FOR_X(i, size) {
            double v = zj[i] + bj[i % cols];
            zj[i] = v;
            yj[i] = d[i] * v;
        }
    }
}
