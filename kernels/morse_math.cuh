// The elementwise functions with their first and second derivatives. The formulas are
// those of dev.morse.backend.UnaryFn (the CPU reference), term for term, so that the
// host harness reproduces the CPU backend and the device differs only by its math
// library's rounding. Codes are UnaryFn.code().
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

MORSE_HD double morse_softplus(double x) {
    return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}

MORSE_HD double morse_f(int code, int p, double x) {
    switch (code) {
        case MORSE_IDENTITY: return x;
        case MORSE_EXP: return exp(x);
        case MORSE_LOG: return log(x);
        case MORSE_TANH: return tanh(x);
        case MORSE_SIGMOID: return morse_sigmoid(x);
        case MORSE_SWISH: return x * morse_sigmoid(x);
        case MORSE_SOFTPLUS: return morse_softplus(x);
        case MORSE_RELU: return x > 0.0 ? x : 0.0;
        case MORSE_SQUARE: return x * x;
        case MORSE_POWI: return morse_powi(x, p);
        default: return MORSE_NAN;  // unknown code (the host rejects it before launching)
    }
}

// y = f(x), d1 = f'(x), d2 = f''(x) in one pass, sharing the expensive part
// (one exp / tanh per element), with UnaryFn's d1/d2 formulas.
MORSE_HD void morse_f012(int code, int p, double x, double* y, double* d1, double* d2) {
    switch (code) {
        case MORSE_IDENTITY:
            *y = x; *d1 = 1.0; *d2 = 0.0;
            return;
        case MORSE_EXP: {
            double e = exp(x);
            *y = e; *d1 = e; *d2 = e;
            return;
        }
        case MORSE_LOG:
            *y = log(x); *d1 = 1.0 / x; *d2 = -1.0 / (x * x);
            return;
        case MORSE_TANH: {
            double t = tanh(x);
            double d = 1.0 - t * t;
            *y = t; *d1 = d; *d2 = -2.0 * t * d;
            return;
        }
        case MORSE_SIGMOID: {
            double s = morse_sigmoid(x);
            *y = s; *d1 = s * (1.0 - s); *d2 = s * (1.0 - s) * (1.0 - 2.0 * s);
            return;
        }
        case MORSE_SWISH: {
            double s = morse_sigmoid(x);
            double s1 = s * (1.0 - s);
            *y = x * s; *d1 = s + x * s1; *d2 = s1 * (2.0 + x * (1.0 - 2.0 * s));
            return;
        }
        case MORSE_SOFTPLUS: {
            double s = morse_sigmoid(x);
            *y = morse_softplus(x); *d1 = s; *d2 = s * (1.0 - s);
            return;
        }
        case MORSE_RELU:
            *y = x > 0.0 ? x : 0.0; *d1 = x > 0.0 ? 1.0 : 0.0; *d2 = 0.0;
            return;
        case MORSE_SQUARE:
            *y = x * x; *d1 = 2.0 * x; *d2 = 2.0;
            return;
        case MORSE_POWI:
            *y = morse_powi(x, p);
            *d1 = p == 0 ? 0.0 : (double)p * morse_powi(x, (long long)p - 1);
            *d2 = (p == 0 || p == 1) ? 0.0
                  : (double)p * ((double)p - 1.0) * morse_powi(x, (long long)p - 2);
            return;
        default:
            *y = MORSE_NAN; *d1 = MORSE_NAN; *d2 = MORSE_NAN;
            return;
    }
}

#endif
