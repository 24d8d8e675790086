package dev.morse.ad;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * The one linearization a compiled objective ({@link Plan}, {@link Shards}) keeps: θ, the loss
 * and the gradient of its last {@code at}, valid until the objective is evaluated again (its
 * generation moves on) or closed. Subclasses add the products (JVP, HVP, hvpBlock, Hessian).
 */
abstract class HeldLinearization implements Linearization {
    private final String owner;
    private final Backend b;
    private final int n;
    private final DArray theta;
    private final DArray grad;
    private long gen = -1;
    private double value;
    private double gnorm;

    /** {@code owner} names the objective in messages ("plan", "shards"). */
    HeldLinearization(String owner, Backend b, int n, DArray theta, DArray grad) {
        this.owner = owner;
        this.b = b;
        this.n = n;
        this.theta = theta;
        this.grad = grad;
    }

    /** The objective's generation: one more for every evaluation. */
    abstract long generation();

    /** Throws if the objective is closed. */
    abstract void live();

    /** After an {@code at} of generation g: keeps its loss and the gradient's norm. */
    final void refresh(long g, double loss) {
        gen = g;
        value = loss;
        gnorm = b.nrm2(n, grad, 0);
    }

    final void valid() {
        live();
        if (gen != generation()) {
            throw new IllegalStateException("this linearization is stale: the " + owner + " has since been "
                    + "evaluated at another θ");
        }
    }

    /** Throws unless {@code a} lives on the objective's backend and holds len values from off. */
    static void checkVector(String owner, Backend b, int n, String what, DArray a, long off, long len) {
        if (a.backend() != b) {
            throw new IllegalArgumentException(what + " lives on backend " + a.backend().name() + ", the " + owner
                    + " on " + b.name());
        }
        if (off < 0 || off + len > a.length()) {
            throw new IllegalArgumentException(what + " must hold " + len + " values (N = " + n
                    + "): got an array of length " + a.length() + " at offset " + off);
        }
    }

    final void checkVec(String what, DArray a, long off, long len) {
        checkVector(owner, b, n, what, a, off, len);
    }

    @Override
    public DArray theta() {
        valid();
        return theta;
    }

    @Override
    public double value() {
        valid();
        return value;
    }

    @Override
    public DArray gradient() {
        valid();
        return grad;
    }

    @Override
    public double gradNormSq() {
        valid();
        return gnorm * gnorm;
    }

    @Override
    public boolean finite() {
        valid();
        return Double.isFinite(value) && Double.isFinite(gnorm);
    }
}
