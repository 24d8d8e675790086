package dev.morse.testing;

import dev.morse.ad.Program;
import dev.morse.ad.Tracer;
import dev.morse.ad.Value;
import dev.morse.nn.Activation;
import dev.morse.nn.Loss;
import dev.morse.nn.Mlp;
import java.util.Random;

/** Small traced losses for tests of the Newton core. */
public final class Objectives {
    private Objectives() {
    }

    /** L(θ) = ½θᵀAθ + bᵀθ, traced (θ as a 1×N row). */
    public static Program quadratic(double[] a, double[] b) {
        int n = b.length;
        Tracer t = new Tracer(n);
        Value th = t.param(0, 1, n);
        Value am = t.data("A", a, n, n);
        Value bm = t.data("b", b, 1, n);
        Value quad = th.matmul(am).mul(th).sum().scale(0.5);
        return t.program(quad.add(th.mul(bm).sum()));
    }

    /** A small tanh regression MLP (in → hidden → 1, biases) on seeded Gaussian data. */
    public static Mlp smallMlp(int in, int hidden, Activation act) {
        return Mlp.builder().widths(in, hidden, 1).activation(act).loss(Loss.MSE).bias(true).build();
    }

    public static Program smallMlpLoss(Mlp mlp, int rows, long seed) {
        Random r = new Random(seed);
        double[] x = new double[rows * mlp.inputs()];
        double[] y = new double[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        for (int i = 0; i < rows; i++) {
            y[i] = Math.sin(x[i * mlp.inputs()]) + 0.1 * r.nextGaussian();
        }
        return mlp.mse(x, rows, y);
    }
}
