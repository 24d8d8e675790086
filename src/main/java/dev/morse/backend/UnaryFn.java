package dev.morse.backend;

/**
 * The elementwise scalar functions with their first and second derivatives: the one table of
 * their formulas. Each constant's {@link #eval} is the definition of f, f′ and f″ (sharing the
 * expensive part: one exp or tanh per element where the formulas allow); the CPU backend's
 * tiled loops call it on each tile, the scalar {@link #f}, {@link #d1}, {@link #d2} call it on
 * one element, and the CUDA kernels (kernels/morse_math.cuh, which must write the same
 * expressions in the same order) are compared with it by the host harness
 * ({@code KernelHarnessTest}) and on a device by {@code morse selftest --backend cuda}.
 * {@code p} is the integer parameter of {@link #POWI} (ignored by the others). Codes are
 * stable: the CUDA kernels switch on {@link #code()}.
 */
public enum UnaryFn {
    IDENTITY(0, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                y[i] = x[i];
                if (d1 != null) {
                    d1[i] = 1.0;
                    d2[i] = 0.0;
                }
            }
        }
    },
    EXP(1, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double e = Math.exp(x[i]);
                y[i] = e;
                if (d1 != null) {
                    d1[i] = e;
                    d2[i] = e;
                }
            }
        }
    },
    LOG(2, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                y[i] = Math.log(v);
                if (d1 != null) {
                    d1[i] = 1.0 / v;
                    d2[i] = -1.0 / (v * v);
                }
            }
        }
    },
    TANH(3, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double t = Math.tanh(x[i]);
                y[i] = t;
                if (d1 != null) {
                    double d = 1.0 - t * t;
                    d1[i] = d;
                    d2[i] = -2.0 * t * d;
                }
            }
        }
    },
    SIGMOID(4, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double s = sigmoid(x[i]);
                y[i] = s;
                if (d1 != null) {
                    double s1 = s * (1.0 - s);
                    d1[i] = s1;
                    d2[i] = s1 * (1.0 - 2.0 * s);
                }
            }
        }
    },
    /** x·σ(x): swish′ = s + x·s(1−s), swish″ = s(1−s)(2 + x(1−2s)), s = σ(x). */
    SWISH(5, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                double s = sigmoid(v);
                y[i] = v * s;
                if (d1 != null) {
                    double s1 = s * (1.0 - s);
                    d1[i] = s + v * s1;
                    d2[i] = s1 * (2.0 + v * (1.0 - 2.0 * s));
                }
            }
        }
    },
    /** log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|}) (stable); softplus′ = σ(x) from the same exponential. */
    SOFTPLUS(6, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                double e = Math.exp(-Math.abs(v));
                y[i] = Math.max(v, 0.0) + Math.log1p(e);
                if (d1 != null) {
                    double s = sigmoidOf(v, e);
                    d1[i] = s;
                    d2[i] = s * (1.0 - s);
                }
            }
        }
    },
    /** max(0, x), with the derivatives of x ≤ 0 at the kink. */
    RELU(7, false) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                y[i] = v > 0 ? v : 0.0;
                if (d1 != null) {
                    d1[i] = v > 0 ? 1.0 : 0.0;
                    d2[i] = 0.0;
                }
            }
        }
    },
    SQUARE(8, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                y[i] = v * v;
                if (d1 != null) {
                    d1[i] = 2.0 * v;
                    d2[i] = 2.0;
                }
            }
        }
    },
    /** x^p for integer p by repeated squaring. */
    POWI(9, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                y[i] = powi(v, p);
                if (d1 != null) {
                    d1[i] = p == 0 ? 0.0 : p * powl(v, (long) p - 1);
                    d2[i] = (p == 0 || p == 1) ? 0.0 : (double) p * ((double) p - 1.0) * powl(v, (long) p - 2);
                }
            }
        }
    },
    /**
     * GELU, exact: x·Φ(x) with Φ(x) = ½erfc(−x/√2) the standard normal CDF ({@link Erf});
     * gelu′ = Φ + x·φ, gelu″ = φ·(2 − x²), φ(x) = e^{−x²/2}/√(2π) (Hendrycks &amp; Gimpel 2016).
     */
    GELU(10, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                double cdf = 0.5 * Erf.erfc(-v * SQRT1_2);
                y[i] = v * cdf;
                if (d1 != null) {
                    double pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
                    d1[i] = cdf + v * pdf;
                    d2[i] = pdf * (2.0 - v * v);
                }
            }
        }
    },
    /**
     * ELU with α = 1: x for x &gt; 0, eˣ − 1 otherwise (Clevert et al. 2016). Continuously
     * differentiable, but f″ jumps from 1 to 0 at 0: flagged non-smooth.
     */
    ELU(11, false) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                if (v > 0) {
                    y[i] = v;
                    if (d1 != null) {
                        d1[i] = 1.0;
                        d2[i] = 0.0;
                    }
                } else {
                    y[i] = Math.expm1(v);
                    if (d1 != null) {
                        double e = Math.exp(v);
                        d1[i] = e;
                        d2[i] = e;
                    }
                }
            }
        }
    },
    /** x for x &gt; 0, {@value #LEAKY_SLOPE}·x otherwise; a kink at 0 like relu. */
    LEAKY_RELU(12, false) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                y[i] = v > 0 ? v : LEAKY_SLOPE * v;
                if (d1 != null) {
                    d1[i] = v > 0 ? 1.0 : LEAKY_SLOPE;
                    d2[i] = 0.0;
                }
            }
        }
    },
    /**
     * SELU: λx for x &gt; 0, λα(eˣ − 1) otherwise, with the self-normalizing constants
     * λ = {@value #SELU_LAMBDA}, α = {@value #SELU_ALPHA} (Klambauer et al. 2017); f′ jumps at 0.
     */
    SELU(13, false) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                if (v > 0) {
                    y[i] = SELU_LAMBDA * v;
                    if (d1 != null) {
                        d1[i] = SELU_LAMBDA;
                        d2[i] = 0.0;
                    }
                } else {
                    y[i] = SELU_LAMBDA * (SELU_ALPHA * Math.expm1(v));
                    if (d1 != null) {
                        double e = SELU_LAMBDA * (SELU_ALPHA * Math.exp(v));
                        d1[i] = e;
                        d2[i] = e;
                    }
                }
            }
        }
    },
    /**
     * Mish: x·tanh(softplus(x)) (Misra 2019). With t = tanh(softplus(x)), s = σ(x) and
     * g = s(1 − t²) = (tanh∘softplus)′: mish′ = t + x·g, mish″ = g·(2 + x(1 − s − 2ts)).
     */
    MISH(14, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                double e = Math.exp(-Math.abs(v));
                double t = Math.tanh(Math.max(v, 0.0) + Math.log1p(e));
                y[i] = v * t;
                if (d1 != null) {
                    double s = sigmoidOf(v, e);
                    double g = s * (1.0 - t * t);
                    d1[i] = t + v * g;
                    d2[i] = g * (2.0 + v * (1.0 - s - 2.0 * t * s));
                }
            }
        }
    },
    /** √x: f′ = 0.5/√x, f″ = −0.5·f′/x. */
    SQRT(15, true) {
        @Override
        public void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m) {
            for (int i = 0; i < m; i++) {
                double v = x[i];
                double s = Math.sqrt(v);
                y[i] = s;
                if (d1 != null) {
                    double a = 0.5 / s;
                    d1[i] = a;
                    d2[i] = -0.5 * a / v;
                }
            }
        }
    };

    /** Slope of {@link #LEAKY_RELU} below 0 (PyTorch's and Keras's default). */
    public static final double LEAKY_SLOPE = 0.01;
    /** SELU's λ. */
    public static final double SELU_LAMBDA = 1.0507009873554805;
    /** SELU's α. */
    public static final double SELU_ALPHA = 1.6732632423543772;
    /** 1/√2. */
    static final double SQRT1_2 = 0.7071067811865476;
    /** 1/√(2π). */
    static final double INV_SQRT_2PI = 0.3989422804014327;

    private final int code;
    private final boolean smooth;

    UnaryFn(int code, boolean smooth) {
        this.code = code;
        this.smooth = smooth;
    }

    public int code() {
        return code;
    }

    /** True for the functions defined (with finite derivatives) only for x &gt; 0: log and sqrt. */
    public boolean positiveDomain() {
        return this == LOG || this == SQRT;
    }

    /** False where the function is not twice differentiable everywhere (relu, leaky relu, elu, selu). */
    public boolean smooth() {
        return smooth;
    }

    /**
     * The definition: y[i] ← f(x[i]) for i in [0, m), and, when {@code d1} is not null,
     * d1[i] ← f′(x[i]) and d2[i] ← f″(x[i]). Plain loops over arrays, so the CPU backend runs
     * them on its tiles as they are; y's formula is the same with or without the derivatives.
     */
    public abstract void eval(int p, double[] x, double[] y, double[] d1, double[] d2, int m);

    /** f(x), one element through {@link #eval} (a reference for tests; loops call eval on arrays). */
    public double f(double x, int p) {
        double[] y = new double[1];
        eval(p, new double[] {x}, y, null, null, 1);
        return y[0];
    }

    /** f′(x), one element through {@link #eval}. */
    public double d1(double x, int p) {
        return derivatives(x, p)[1];
    }

    /** f″(x), one element through {@link #eval}. */
    public double d2(double x, int p) {
        return derivatives(x, p)[2];
    }

    /** {f(x), f′(x), f″(x)}, one element through {@link #eval}. */
    public double[] derivatives(double x, int p) {
        double[] y = new double[1];
        double[] a = new double[1];
        double[] b = new double[1];
        eval(p, new double[] {x}, y, a, b, 1);
        return new double[] {y[0], a[0], b[0]};
    }

    /** Logistic function, stable for both signs of x. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** σ(x) from e = e^{−|x|}, bitwise {@link #sigmoid}(x) (the same exponential, the same quotient). */
    static double sigmoidOf(double x, double e) {
        return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    }

    /** x^p for integer p by repeated squaring (exact sign handling, no pow()). */
    public static double powi(double x, int p) {
        return powl(x, p);
    }

    /**
     * x^p, 64-bit exponent: negating p = Integer.MIN_VALUE and forming p - 1, p - 2 must not
     * overflow (the kernels, morse_powi, use the same widening).
     */
    static double powl(double x, long p) {
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
}
