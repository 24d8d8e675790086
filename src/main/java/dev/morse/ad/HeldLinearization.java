package dev.morse.ad;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;

/**
 * The one linearization a compiled objective ({@link Plan}, {@link Shards}) keeps: θ, the loss
 * and the gradient of its last {@code at}, valid until the objective is evaluated again (its
 * generation moves on) or closed. Subclasses give the JVP and one pass of at most
 * {@link #capacity} Hessian-vector products ({@link #chunk}); hvpBlock and the dense Hessian are
 * those passes here.
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

    /** The most directions one {@link #chunk} takes. */
    abstract int capacity();

    /** out[oo ..) ← H·v for c ≤ {@link #capacity} directions stored one after another from v[vo]. */
    abstract void chunk(int c, DArray v, long vo, DArray out, long oo);

    /** capacity·N values the Hessian's unit directions are written into before each {@link #chunk}. */
    abstract DArray unitDirections();

    @Override
    public final void hvp(DArray v, long vo, DArray out, long oo) {
        hvpBlock(1, v, vo, out, oo);
    }

    @Override
    public final void hvpBlock(int k, DArray v, long vo, DArray out, long oo) {
        valid();
        if (k < 0) {
            throw new IllegalArgumentException("hvpBlock: k must be ≥ 0, got " + k);
        }
        checkVec("v", v, vo, (long) k * n);
        checkVec("out", out, oo, (long) k * n);
        int kmax = capacity();
        for (int j0 = 0; j0 < k; j0 += kmax) {
            chunk(Math.min(kmax, k - j0), v, vo + (long) j0 * n, out, oo + (long) j0 * n);
        }
    }

    @Override
    public final void hessian(DArray out, long oo) {
        valid();
        checkVec("hessian output", out, oo, (long) n * n);
        int kmax = capacity();
        DArray unit = unitDirections();
        for (int j0 = 0; j0 < n; j0 += kmax) {
            int c = Math.min(kmax, n - j0);
            b.fill((long) c * n, 0.0, unit, 0);
            for (int j = 0; j < c; j++) {
                b.fill(1, 1.0, unit, (long) j * n + j0 + j);
            }
            // H symmetric: H·e_j is row j
            chunk(c, unit, 0, out, oo + (long) j0 * n);
        }
    }

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
