// The elementwise functions with their first and second derivatives. The formulas are
// those of dev.morse.backend.UnaryFn.eval (the one table), term for term, so that the
// host harness reproduces the CPU backend and the device differs only by its math
// library's rounding (erfc: the device's, Java's is dev.morse.backend.Erf). Codes are
// UnaryFn.code() (KernelSignatureTest); every function is compared with the table by
// KernelHarnessTest on the host and by `morse selftest --backend cuda` on a device.
#ifndef MORSE_MATH_CUH
#define MORSE_MATH_CUH

#include "morse_common.cuh"

#define MORSE_IDENTITY 0
#define MORSE_EXP 1
#define MORSE_LOG 2
#define MORSE_TANH 3
#define MORSE_SIGMOID 4
#define MORSE_SWISH 5
#define MORSE_SOFTPLUS 6
#define MORSE_RELU 7
#define MORSE_SQUARE 8
#define MORSE_POWI 9
#define MORSE_GELU 10
#define MORSE_ELU 11
#define MORSE_LEAKY_RELU 12
#define MORSE_SELU 13
#define MORSE_MISH 14
#define MORSE_SQRT 15

// The constants of UnaryFn, digit for digit.
#define MORSE_LEAKY_SLOPE 0.01
#define MORSE_SELU_LAMBDA 1.0507009873554805
#define MORSE_SELU_ALPHA 1.6732632423543772
#define MORSE_SQRT1_2 0.7071067811865476
#define MORSE_INV_SQRT_2PI 0.3989422804014327

// Logistic function, stable for both signs of x (UnaryFn.sigmoid).
MORSE_HD double morse_sigmoid(double x) {
    if (x >= 0.0) {
        return 1.0 / (1.0 + exp(-x));
    }
    double e = exp(x);
    return e / (1.0 + e);
}

// x^p by repeated squaring (UnaryFn.powi); the exponent is 64-bit so that negating
// p = INT_MIN or forming p - 1, p - 2 cannot overflow.
MORSE_HD double morse_powi(double x, long long p) {
    long long e = p;
    bool inv = e < 0;
    if (inv) {
        e = -e;
    }
    double r = 1.0;
    double b = x;
    while (e != 0) {
        if ((e & 1) != 0) {
            r *= b;
        }
        b *= b;
        e >>= 1;
    }
    return inv ? 1.0 / r : r;
}

// sigmoid(x) from e = exp(-|x|): bitwise morse_sigmoid(x) (UnaryFn.sigmoidOf)
MORSE_HD double morse_sigmoid_of(double x, double e) {
    return x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

// The one switch: y = f(x) and, when d1 is not null, d1 = f'(x), d2 = f''(x) (sharing the
// expensive part), UnaryFn.eval's expressions in UnaryFn.eval's order, constant by constant.
MORSE_HD void morse_eval(int code, int p, double x, double* y, double* d1, double* d2) {
    switch (code) {
        case MORSE_IDENTITY:
            *y = x;
            if (d1) { *d1 = 1.0; *d2 = 0.0; }
            return;
        case MORSE_EXP: {
            double e = exp(x);
            *y = e;
            if (d1) { *d1 = e; *d2 = e; }
            return;
        }
        case MORSE_LOG:
            *y = log(x);
            if (d1) { *d1 = 1.0 / x; *d2 = -1.0 / (x * x); }
            return;
        case MORSE_TANH: {
            double t = tanh(x);
            *y = t;
            if (d1) {
                double d = 1.0 - t * t;
                *d1 = d; *d2 = -2.0 * t * d;
            }
            return;
        }
        case MORSE_SIGMOID: {
            double s = morse_sigmoid(x);
            *y = s;
            if (d1) {
                double s1 = s * (1.0 - s);
                *d1 = s1; *d2 = s1 * (1.0 - 2.0 * s);
            }
            return;
        }
        case MORSE_SWISH: {
            double s = morse_sigmoid(x);
            *y = x * s;
            if (d1) {
                double s1 = s * (1.0 - s);
                *d1 = s + x * s1; *d2 = s1 * (2.0 + x * (1.0 - 2.0 * s));
            }
            return;
        }
        case MORSE_SOFTPLUS: {
            double e = exp(-fabs(x));
            *y = fmax(x, 0.0) + log1p(e);
            if (d1) {
                double s = morse_sigmoid_of(x, e);
                *d1 = s; *d2 = s * (1.0 - s);
            }
            return;
        }
        case MORSE_RELU:
            *y = x > 0.0 ? x : 0.0;
            if (d1) { *d1 = x > 0.0 ? 1.0 : 0.0; *d2 = 0.0; }
            return;
        case MORSE_SQUARE:
            *y = x * x;
            if (d1) { *d1 = 2.0 * x; *d2 = 2.0; }
            return;
        case MORSE_POWI:
            *y = morse_powi(x, p);
            if (d1) {
                *d1 = p == 0 ? 0.0 : (double)p * morse_powi(x, (long long)p - 1);
                *d2 = (p == 0 || p == 1) ? 0.0
                      : (double)p * ((double)p - 1.0) * morse_powi(x, (long long)p - 2);
            }
            return;
        case MORSE_GELU: {
            double cdf = 0.5 * erfc(-x * MORSE_SQRT1_2);
            *y = x * cdf;
            if (d1) {
                double pdf = MORSE_INV_SQRT_2PI * exp(-0.5 * x * x);
                *d1 = cdf + x * pdf; *d2 = pdf * (2.0 - x * x);
            }
            return;
        }
        case MORSE_ELU:
            if (x > 0.0) {
                *y = x;
                if (d1) { *d1 = 1.0; *d2 = 0.0; }
            } else {
                *y = expm1(x);
                if (d1) {
                    double e = exp(x);
                    *d1 = e; *d2 = e;
                }
            }
            return;
        case MORSE_LEAKY_RELU:
            *y = x > 0.0 ? x : MORSE_LEAKY_SLOPE * x;
            if (d1) { *d1 = x > 0.0 ? 1.0 : MORSE_LEAKY_SLOPE; *d2 = 0.0; }
            return;
        case MORSE_SELU:
            if (x > 0.0) {
                *y = MORSE_SELU_LAMBDA * x;
                if (d1) { *d1 = MORSE_SELU_LAMBDA; *d2 = 0.0; }
            } else {
                *y = MORSE_SELU_LAMBDA * (MORSE_SELU_ALPHA * expm1(x));
                if (d1) {
                    double e = MORSE_SELU_LAMBDA * (MORSE_SELU_ALPHA * exp(x));
                    *d1 = e; *d2 = e;
                }
            }
            return;
        case MORSE_MISH: {
            double e = exp(-fabs(x));
            double t = tanh(fmax(x, 0.0) + log1p(e));
            *y = x * t;
            if (d1) {
                double s = morse_sigmoid_of(x, e);
                double g = s * (1.0 - t * t);
                *d1 = t + x * g; *d2 = g * (2.0 + x * (1.0 - s - 2.0 * t * s));
            }
            return;
        }
        case MORSE_SQRT: {
            double s = sqrt(x);
            *y = s;
            if (d1) {
                double a = 0.5 / s;
                *d1 = a; *d2 = -0.5 * a / x;
            }
            return;
        }
        default:  // unknown code (the host rejects it before launching)
            *y = MORSE_NAN;
            if (d1) { *d1 = MORSE_NAN; *d2 = MORSE_NAN; }
            return;
    }
}

MORSE_HD double morse_f(int code, int p, double x) {
    double y;
    morse_eval(code, p, x, &y, 0, 0);
    return y;
}

MORSE_HD void morse_f012(int code, int p, double x, double* y, double* d1, double* d2) {
    morse_eval(code, p, x, y, d1, d2);
}

#endif
