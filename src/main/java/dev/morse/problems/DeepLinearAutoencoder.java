package dev.morse.problems;

import dev.morse.ad.Program;
import dev.morse.ad.Tracer;
import dev.morse.ad.Value;
import dev.morse.backend.DArray;
import dev.morse.backend.LinalgStatus;
import dev.morse.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The deep linear autoencoder of thesis §3.2 (E1): p → k → p, linear, no biases,
 * L(W1, W2) = (1/(n·p))·‖X − X·W1ᵀ·W2ᵀ‖²_F (MSE, mean over entries), rows of X are examples.
 * θ = [W1 (k×p) | W2 (p×k)], N = 2pk.
 *
 * <p>Analytic critical points (Thm 3.2): W2·W1 is the orthogonal projection onto the span of
 * a set S of at most k eigenvectors of the covariance C = XᵀX/n; there are Σ_{i≤k} C(p, i)
 * classes. The representative of S has the rows of W1 equal to the chosen eigenvectors
 * (zero rows for the rest) and W2 = W1ᵀ; its loss is (tr C − Σ_{i∈S} λᵢ)/p.
 */
public final class DeepLinearAutoencoder {
    /** One analytic critical class: the chosen eigen-indices (ascending eigenvalue order), its θ and loss. */
    public record AnalyticPoint(int[] subset, double[] theta, double loss) {
        public int size() {
            return subset.length;
        }
    }

    private final double[] x;
    private final int n;
    private final int p;
    private final int k;

    public DeepLinearAutoencoder(double[] x, int n, int p, int k) {
        if (x.length != (long) n * p) {
            throw new IllegalArgumentException("data: " + x.length + " values for " + n + "×" + p);
        }
        if (k <= 0 || k > p) {
            throw new IllegalArgumentException("hidden width k must be in [1, p], got " + k);
        }
        this.x = x.clone();
        this.n = n;
        this.p = p;
        this.k = k;
    }

    public int nParams() {
        return 2 * p * k;
    }

    public int examples() {
        return n;
    }

    public int p() {
        return p;
    }

    public int k() {
        return k;
    }

    /**
     * The loss in its sufficient-statistics form: with A = W2·W1 and C = XᵀX/n,
     * (1/(n·p))‖X − X·Aᵀ‖²_F = (1/p)·Σ_ij ((A − I)·C ∘ (A − I))_ij, the same function of θ
     * (so the same gradient, Hessian and critical points) at p×p cost per pass instead of n×p.
     * {@link #programOnData()} is the per-example form; a test checks they agree.
     */
    public Program program() {
        Tracer t = new Tracer(nParams());
        Value w1 = t.param(0, k, p);
        Value w2 = t.param((long) k * p, p, k);
        double[] eye = new double[p * p];
        for (int i = 0; i < p; i++) {
            eye[i * p + i] = 1.0;
        }
        Value b = w2.matmul(w1).sub(t.data("I", eye, p, p));
        Value c = t.data("C", covariance(), p, p);
        return t.program(b.matmul(c).mul(b).sum().scale(1.0 / p));
    }

    /** The loss as written in the thesis: MSE (mean over the n·p entries) of X·W1ᵀ·W2ᵀ against X. */
    public Program programOnData() {
        Tracer t = new Tracer(nParams());
        Value xs = t.data("X", x, n, p);
        Value w1 = t.param(0, k, p);
        Value w2 = t.param((long) k * p, p, k);
        Value y = xs.matmul(w1, false, true).matmul(w2, false, true);
        return t.program(y.mse(xs));
    }

    /** The covariance C = XᵀX/n (p×p, row-major). */
    public double[] covariance() {
        double[] c = new double[p * p];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < p; i++) {
                double xi = x[r * p + i];
                for (int j = 0; j < p; j++) {
                    c[i * p + j] += xi * x[r * p + j];
                }
            }
        }
        for (int i = 0; i < c.length; i++) {
            c[i] /= n;
        }
        return c;
    }

    /** All Σ_{i≤k} C(p, i) analytic critical classes, smallest subsets first. */
    public List<AnalyticPoint> analyticPoints() {
        double[] c = covariance();
        double[] vals = new double[p];
        try (CpuBackend b = new CpuBackend(); DArray a = b.alloc((long) p * p); DArray w = b.alloc(p)) {
            b.upload(c, 0, a, 0, p * p);
            LinalgStatus st = b.syevd(p, a, 0, w, 0, true);
            if (!st.ok()) {
                throw new IllegalStateException("eigendecomposition of the data covariance failed: " + st);
            }
            b.download(w, 0, vals, 0, p);
            b.download(a, 0, c, 0, p * p); // rows are eigenvectors now
        }
        double trace = 0;
        for (double v : vals) {
            trace += v;
        }
        List<AnalyticPoint> out = new ArrayList<>();
        for (int size = 0; size <= k; size++) {
            int[] s = new int[size];
            for (int i = 0; i < size; i++) {
                s[i] = i;
            }
            while (true) {
                double[] th = new double[nParams()];
                double kept = 0;
                for (int r = 0; r < size; r++) {
                    kept += vals[s[r]];
                    for (int j = 0; j < p; j++) {
                        double e = c[s[r] * p + j];
                        th[r * p + j] = e;                  // W1 row r
                        th[k * p + j * k + r] = e;          // W2 column r
                    }
                }
                out.add(new AnalyticPoint(s.clone(), th, (trace - kept) / p));
                // next combination in lexicographic order
                int i = size - 1;
                while (i >= 0 && s[i] == p - size + i) {
                    i--;
                }
                if (i < 0) {
                    break;
                }
                s[i]++;
                for (int j = i + 1; j < size; j++) {
                    s[j] = s[j - 1] + 1;
                }
            }
        }
        return Collections.unmodifiableList(out);
    }
}
