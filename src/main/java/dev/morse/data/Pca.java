package dev.morse.data;

import dev.morse.backend.DArray;
import dev.morse.backend.LinalgStatus;
import dev.morse.backend.cpu.CpuBackend;
import java.util.Locale;

/**
 * Principal component analysis fitted on a data set: the k leading eigenvectors of the
 * feature covariance C = XcᵀXc / n (Xc = features minus their means, population
 * normalization), from LAPACK dsyevd on the CPU backend. Projection is z = Vₖ(x − mean):
 * centered, not whitened.
 *
 * <p>Sign convention: eigenvectors are defined up to sign, so each component is flipped to
 * make its entry of largest magnitude positive (the first such entry on exact ties). This
 * makes the output deterministic; components of repeated eigenvalues are still only
 * defined up to a rotation within their eigenspace.
 *
 * @param mean        the d feature means
 * @param components  k×d row-major, row i = i-th principal direction (unit norm)
 * @param variances   the k leading eigenvalues of C, descending (variance along each)
 * @param totalVariance trace of C (sum of all d eigenvalues)
 */
public record Pca(double[] mean, double[] components, double[] variances, int k, int d,
                  double totalVariance) {

    /** Fits k components (1 ≤ k ≤ d) to the features of {@code ds}. */
    public static Pca fit(Dataset ds, int k) {
        int n = ds.n();
        int d = ds.d();
        if (k < 1 || k > d) {
            throw new DataException("PCA to " + k + " dimensions: expected 1.." + d
                    + " for data with d = " + d + " (" + ds.description() + ")");
        }
        if (n < 1) {
            throw new DataException("PCA: the data set is empty (" + ds.description() + ")");
        }
        double[] mean = Preprocess.featureMeans(ds.features(), n, d);
        double[] xc = Preprocess.centered(ds.features(), n, d, mean);
        double[] evals = new double[d];
        double[] evecs = new double[d * d];
        try (CpuBackend cpu = new CpuBackend();
             DArray x = cpu.alloc((long) n * d);
             DArray c = cpu.alloc((long) d * d);
             DArray w = cpu.alloc(d)) {
            cpu.upload(xc, 0, x, 0, n * d);
            // C = Xcᵀ Xc / n  (d×d; syevd reads the upper triangle only)
            cpu.gemm(true, false, d, d, n, 1.0 / n, x, 0, d, x, 0, d, 0.0, c, 0, d);
            LinalgStatus st = cpu.syevd(d, c, 0, w, 0, true);
            if (!st.ok()) {
                throw new DataException("PCA: eigendecomposition of the " + d + "x" + d
                        + " covariance failed (" + st + ") for " + ds.description());
            }
            cpu.download(w, 0, evals, 0, d);
            cpu.download(c, 0, evecs, 0, d * d);
        }
        double total = 0;
        for (double v : evals) {
            total += v;
        }
        // syevd: ascending eigenvalues, eigenvector i in row i; take the last k, descending.
        double[] comps = new double[k * d];
        double[] vars = new double[k];
        for (int i = 0; i < k; i++) {
            int src = d - 1 - i;
            vars[i] = evals[src];
            int arg = 0;
            for (int j = 1; j < d; j++) {
                if (Math.abs(evecs[src * d + j]) > Math.abs(evecs[src * d + arg])) {
                    arg = j;
                }
            }
            double sign = evecs[src * d + arg] < 0 ? -1 : 1;
            for (int j = 0; j < d; j++) {
                comps[i * d + j] = sign * evecs[src * d + j];
            }
        }
        return new Pca(mean, comps, vars, k, d, total);
    }

    /** Fraction of the total variance along the k components. */
    public double explainedVarianceRatio() {
        double s = 0;
        for (double v : variances) {
            s += v;
        }
        return totalVariance > 0 ? s / totalVariance : 1.0;
    }

    /** Projects {@code ds} (same d) onto the components: n×k, centered with the fitted means. */
    public Dataset apply(Dataset ds) {
        if (ds.d() != d) {
            throw new DataException("PCA fitted on d = " + d + " features applied to data with d = "
                    + ds.d() + " (" + ds.description() + ")");
        }
        int n = ds.n();
        double[] z = new double[n * k];
        if (n > 0) {
            double[] xc = Preprocess.centered(ds.features(), n, d, mean);
            try (CpuBackend cpu = new CpuBackend();
                 DArray x = cpu.alloc((long) n * d);
                 DArray v = cpu.alloc((long) k * d);
                 DArray out = cpu.alloc((long) n * k)) {
                cpu.upload(xc, 0, x, 0, n * d);
                cpu.upload(components, 0, v, 0, k * d);
                // Z = Xc Vₖᵀ  (n×d times d×k)
                cpu.gemm(false, true, n, k, d, 1.0, x, 0, d, v, 0, d, 0.0, out, 0, k);
                cpu.download(out, 0, z, 0, n * k);
            }
        }
        return ds.derive(z, ds.labels(), n, k, String.format(Locale.ROOT,
                "PCA to %d of %d dimensions (covariance eigenvectors by dsyevd, centered, not whitened,"
                        + " sign: largest entry positive; %.4f of the variance kept)",
                k, d, explainedVarianceRatio()));
    }
}
