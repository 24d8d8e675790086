package dev.morse.backend;

/**
 * The elementwise scalar functions with their first and second derivatives. Backends
 * evaluate them in fused kernels (value, f'·x, f''·x·y + f'·z); the host formulas here
 * are the reference that every backend kernel must match, and they are the CPU backend's
 * kernels. {@code p} is the integer parameter of {@link #POWI} (ignored by the others).
 * Codes are stable: the CUDA kernels switch on {@link #code()}.
 */
public enum UnaryFn {
    IDENTITY(0, true),
    EXP(1, true),
    LOG(2, true),
    TANH(3, true),
    SIGMOID(4, true),
    SWISH(5, true),
    SOFTPLUS(6, true),
    RELU(7, false),
    SQUARE(8, true),
    POWI(9, true);

    private final int code;
    private final boolean smooth;

    UnaryFn(int code, boolean smooth) {
        this.code = code;
        this.smooth = smooth;
    }

    public int code() {
        return code;
    }

    /** False where the function is not twice differentiable everywhere (ReLU). */
    public boolean smooth() {
        return smooth;
    }

    /** Logistic function, stable for both signs of x. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** x^p for integer p by repeated squaring (exact sign handling, no pow()). */
    public static double powi(double x, int p) {
        return powl(x, p);
    }

    /**
     * x^p, 64-bit exponent: negating p = Integer.MIN_VALUE and forming p - 1, p - 2 must not
     * overflow (the kernels, morse_powi, use the same widening).
     */
    private static double powl(double x, long p) {
        if (p < 0) {
            return 1.0 / powl(x, -p);
        }
        double r = 1.0;
        double b = x;
        long e = p;
        while (e != 0) {
            if ((e & 1) != 0) {
                r *= b;
            }
            b *= b;
            e >>= 1;
        }
        return r;
    }

    /** f(x). */
    public double f(double x, int p) {
        switch (this) {
            case IDENTITY: return x;
            case EXP: return Math.exp(x);
            case LOG: return Math.log(x);
            case TANH: return Math.tanh(x);
            case SIGMOID: return sigmoid(x);
            case SWISH: return x * sigmoid(x);
            case SOFTPLUS: return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
            case RELU: return x > 0 ? x : 0.0;
            case SQUARE: return x * x;
            case POWI: return powi(x, p);
            default: throw new AssertionError(this);
        }
    }

    /** f'(x). */
    public double d1(double x, int p) {
        switch (this) {
            case IDENTITY: return 1.0;
            case EXP: return Math.exp(x);
            case LOG: return 1.0 / x;
            case TANH: {
                double t = Math.tanh(x);
                return 1.0 - t * t;
            }
            case SIGMOID: {
                double s = sigmoid(x);
                return s * (1.0 - s);
            }
            case SWISH: {
                double s = sigmoid(x);
                return s + x * s * (1.0 - s);
            }
            case SOFTPLUS: return sigmoid(x);
            case RELU: return x > 0 ? 1.0 : 0.0;
            case SQUARE: return 2.0 * x;
            case POWI: return p == 0 ? 0.0 : p * powl(x, (long) p - 1);
            default: throw new AssertionError(this);
        }
    }

    /** f''(x). */
    public double d2(double x, int p) {
        switch (this) {
            case IDENTITY: return 0.0;
            case EXP: return Math.exp(x);
            case LOG: return -1.0 / (x * x);
            case TANH: {
                double t = Math.tanh(x);
                return -2.0 * t * (1.0 - t * t);
            }
            case SIGMOID: {
                double s = sigmoid(x);
                return s * (1.0 - s) * (1.0 - 2.0 * s);
            }
            case SWISH: {
                double s = sigmoid(x);
                return s * (1.0 - s) * (2.0 + x * (1.0 - 2.0 * s));
            }
            case SOFTPLUS: {
                double s = sigmoid(x);
                return s * (1.0 - s);
            }
            case RELU: return 0.0;
            case SQUARE: return 2.0;
            case POWI: return (p == 0 || p == 1) ? 0.0 : (double) p * ((double) p - 1.0) * powl(x, (long) p - 2);
            default: throw new AssertionError(this);
        }
    }
}
