package dev.morse.testing;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.List;

/**
 * A hand-written objective for tests: L(θ) = ½θᵀAθ + bᵀθ with a dense symmetric A on the
 * device, gradient Aθ + b, Hessian A. Counts HVPs and linearizations.
 */
public final class DenseQuadratic implements Objective {
    private final Backend be;
    private final int n;
    private final DArray a;
    private final DArray b;
    private final DArray theta;
    private final DArray grad;
    private final DArray tmp;
    private final Lin lin = new Lin();
    private long generation;
    public long hvps;
    public long linearizations;
    public long values;

    public DenseQuadratic(Backend be, double[] a, double[] b) {
        this.be = be;
        this.n = b.length;
        if (a.length != n * n) {
            throw new IllegalArgumentException("A must be N×N");
        }
        this.a = be.alloc((long) n * n);
        this.b = be.alloc(n);
        this.theta = be.alloc(n);
        this.grad = be.alloc(n);
        this.tmp = be.alloc(n);
        be.upload(a, 0, this.a, 0, n * n);
        be.upload(b, 0, this.b, 0, n);
    }

    @Override
    public int n() {
        return n;
    }

    @Override
    public Backend backend() {
        return be;
    }

    @Override
    public double value(DArray th, long off) {
        values++;
        generation++;
        be.copy(n, th, off, theta, 0);
        be.gemv(false, n, n, 1.0, a, 0, n, theta, 0, 0.0, tmp, 0);
        return 0.5 * be.dot(n, theta, 0, tmp, 0) + be.dot(n, b, 0, theta, 0);
    }

    @Override
    public Linearization at(DArray th, long off) {
        linearizations++;
        generation++;
        be.copy(n, th, off, theta, 0);
        be.copy(n, b, 0, grad, 0);
        be.gemv(false, n, n, 1.0, a, 0, n, theta, 0, 1.0, grad, 0);
        be.gemv(false, n, n, 1.0, a, 0, n, theta, 0, 0.0, tmp, 0);
        lin.gen = generation;
        lin.value = 0.5 * be.dot(n, theta, 0, tmp, 0) + be.dot(n, b, 0, theta, 0);
        double gn = be.nrm2(n, grad, 0);
        lin.gnsq = gn * gn;
        return lin;
    }

    @Override
    public List<String> nonSmooth() {
        return List.of();
    }

    @Override
    public void close() {
        a.close();
        b.close();
        theta.close();
        grad.close();
        tmp.close();
    }

    private final class Lin implements Linearization {
        long gen;
        double value;
        double gnsq;

        private void valid() {
            if (gen != generation) {
                throw new IllegalStateException("stale linearization");
            }
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
            return gnsq;
        }

        @Override
        public boolean finite() {
            valid();
            return Double.isFinite(value) && Double.isFinite(gnsq);
        }

        @Override
        public void hvp(DArray v, long vo, DArray out, long oo) {
            valid();
            hvps++;
            be.gemv(false, n, n, 1.0, a, 0, n, v, vo, 0.0, out, oo);
        }

        @Override
        public void hvpBlock(int k, DArray v, long vo, DArray out, long oo) {
            valid();
            hvps += k;
            be.gemm(false, false, k, n, n, 1.0, v, vo, n, a, 0, n, 0.0, out, oo, n);
        }

        @Override
        public void hessian(DArray out, long oo) {
            valid();
            hvps += n;
            be.copy((long) n * n, a, 0, out, oo);
        }
    }
}
