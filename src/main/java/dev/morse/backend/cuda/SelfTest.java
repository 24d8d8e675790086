package dev.morse.backend.cuda;

import dev.morse.backend.Backend;
import dev.morse.backend.BackendUnavailableException;
import dev.morse.backend.Backends;
import dev.morse.backend.DArray;
import dev.morse.backend.IArray;
import dev.morse.backend.Inertia;
import dev.morse.backend.UnaryFn;
import dev.morse.backend.cpu.CpuBackend;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What a user with a GPU runs first ({@code ./morse selftest --backend cuda}): every Backend
 * operation on the device against the CPU backend on the same seeded inputs, one row per
 * operation with the max relative error (relErr = max|device − cpu| / max(1, max|cpu|))
 * and pass/fail against a tolerance per kind of operation, followed by timing rows.
 *
 * <p>Hook for the engine: {@link Extension}s run after the built-in checks and add rows
 * and timings (the HVP timing on each backend belongs there once plans exist). The checks
 * work for any pair of backends, so the CPU-vs-CPU run is a unit test.
 */
public final class SelfTest {
    /** Elementwise kernels: device math libraries differ from Java's by a few ulps. */
    public static final double ELEMENTWISE_TOL = 1e-13;
    /** Reductions, BLAS: different summation orders (tree, blocked) over up to ~10^5 terms. */
    public static final double REDUCTION_TOL = 1e-11;
    /** Eigenvalues of a 64×64 symmetric matrix of norm ~1 (LAPACK vs cuSOLVER). */
    public static final double EIGEN_TOL = 1e-10;

    /** One checked operation. */
    public record Row(String operation, double maxRelError, double tolerance, boolean pass, String note) {
    }

    /** One timing (ms per call) of something on one backend. */
    public record Timing(String what, String backend, double millis) {
    }

    /** Everything a self-test found. */
    public record Report(String device, String reference, List<Row> rows, List<Timing> timings) {
        public boolean passed() {
            return rows.stream().allMatch(Row::pass);
        }

        /** A plain-text table: operation, max rel. error, tolerance, pass/FAIL; then timings. */
        public String table() {
            StringBuilder s = new StringBuilder();
            s.append("self-test: ").append(device).append("\n  against ").append(reference).append('\n');
            int w = Math.max(9, rows.stream().mapToInt(r -> r.operation().length()).max().orElse(9));
            s.append(String.format(Locale.ROOT, "%-" + w + "s  %12s  %9s  %s%n", "operation", "max rel err", "tolerance", "result"));
            for (Row r : rows) {
                s.append(String.format(Locale.ROOT, "%-" + w + "s  %12.3e  %9.0e  %s%s%n", r.operation(), r.maxRelError(),
                        r.tolerance(), r.pass() ? "pass" : "FAIL", r.note().isEmpty() ? "" : "  (" + r.note() + ")"));
            }
            if (!timings.isEmpty()) {
                s.append(String.format(Locale.ROOT, "%n%-" + w + "s  %-8s  %s%n", "timing", "backend", "ms/call"));
                for (Timing t : timings) {
                    s.append(String.format(Locale.ROOT, "%-" + w + "s  %-8s  %.3f%n", t.what(), t.backend(), t.millis()));
                }
            }
            long failed = rows.stream().filter(r -> !r.pass()).count();
            s.append(failed == 0 ? "all " + rows.size() + " checks passed" : failed + " of " + rows.size() + " checks FAILED")
                    .append('\n');
            return s.toString();
        }
    }

    /** More checks and timings, run after the built-in ones (e.g. one HVP on each backend). */
    public interface Extension {
        void run(Backend device, Backend reference, List<Row> rows, List<Timing> timings);
    }

    private final Backend dev;
    private final Backend ref;
    private final Random rnd;
    private final List<Row> rows = new ArrayList<>();
    private final List<DArray> arrays = new ArrayList<>();

    private SelfTest(Backend dev, Backend ref, long seed) {
        this.dev = dev;
        this.ref = ref;
        this.rnd = new Random(seed);
    }

    /** Runs every check of device against reference, then the extensions. */
    public static Report run(Backend device, Backend reference, long seed, List<Extension> extensions) {
        SelfTest t = new SelfTest(device, reference, seed);
        List<Timing> timings = new ArrayList<>();
        try {
            t.checks();
            for (Extension e : extensions) {
                // a failure of the engine checks is a FAIL row with the reason, not a stack trace
                t.guarded(e.getClass().getSimpleName(), () -> e.run(device, reference, t.rows, timings));
            }
        } finally {
            t.free();
        }
        return new Report(device.description(), reference.description(), List.copyOf(t.rows), List.copyOf(timings));
    }

    /** {@code java dev.morse.backend.cuda.SelfTest}: prints the table; exit 0 pass, 1 fail, 2 no CUDA. */
    public static void main(String[] args) {
        System.exit(runCli(System.out, System.err));
    }

    /** The CLI entry: CUDA against the CPU; returns the exit code. */
    public static int runCli(PrintStream out, PrintStream err) {
        Backend cuda;
        try {
            cuda = Backends.open(Backends.Choice.CUDA).backend();
        } catch (BackendUnavailableException e) {
            err.println("morse selftest: " + e.getMessage());
            return 2;
        }
        try (Backend gpu = cuda; Backend cpu = new CpuBackend()) {
            Report r = run(gpu, cpu, 20240601L, List.of());
            out.print(r.table());
            return r.passed() ? 0 : 1;
        }
    }

    // ---------------------------------------------------------------- plumbing

    /** The same data on both backends. */
    private final class Pair {
        final DArray d;
        final DArray r;

        Pair(double[] v) {
            d = dev.alloc(v.length);
            r = ref.alloc(v.length);
            dev.upload(v, 0, d, 0, v.length);
            ref.upload(v, 0, r, 0, v.length);
            arrays.add(d);
            arrays.add(r);
        }

        double err() {
            return relErr(download(ref, r), download(dev, d));
        }
    }

    private static double[] download(Backend b, DArray a) {
        double[] v = new double[Math.toIntExact(a.length())];
        b.download(a, 0, v, 0, v.length);
        return v;
    }

    private void free() {
        for (DArray a : arrays) {
            a.close();
        }
        arrays.clear();
    }

    static double relErr(double[] ref, double[] actual) {
        double scale = 1.0;
        double diff = 0.0;
        for (int i = 0; i < ref.length; i++) {
            if (Double.isNaN(ref[i]) || Double.isNaN(actual[i])) {
                if (Double.isNaN(ref[i]) != Double.isNaN(actual[i])) {
                    return Double.POSITIVE_INFINITY;
                }
                continue;
            }
            scale = Math.max(scale, Math.abs(ref[i]));
            diff = Math.max(diff, Math.abs(ref[i] - actual[i]));
        }
        return diff / scale;
    }

    private Pair pair(double[] v) {
        return new Pair(v);
    }

    private double[] uniform(int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * rnd.nextDouble();
        }
        return v;
    }

    private void row(String op, double err, double tol) {
        rows.add(new Row(op, err, tol, err <= tol, ""));
    }

    private void row(String op, double err, double tol, String note) {
        rows.add(new Row(op, err, tol, err <= tol, note));
    }

    private static double max(Pair... ps) {
        double e = 0;
        for (Pair p : ps) {
            e = Math.max(e, p.err());
        }
        return e;
    }

    /** Runs op on both backends, catching a failure into a failed row. */
    private interface Check {
        void run();
    }

    private void guarded(String op, Check c) {
        try {
            c.run();
        } catch (RuntimeException e) {
            rows.add(new Row(op, Double.NaN, 0, false, e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    // ---------------------------------------------------------------- the checks

    private void checks() {
        int n = 100_000;
        guarded("copy / fill", () -> {
            Pair x = pair(uniform(n, -1, 1));
            Pair y = pair(uniform(n, -1, 1));
            dev.copy(n - 3, x.d, 3, y.d, 1);
            ref.copy(n - 3, x.r, 3, y.r, 1);
            Pair f = pair(uniform(n, -1, 1));
            dev.fill(n - 2, 1.5, f.d, 1);
            ref.fill(n - 2, 1.5, f.r, 1);
            row("copy / fill", max(y, f), 0);
        });
        guarded("scal / axpy / axpby", () -> {
            Pair x = pair(uniform(n, -1, 1));
            Pair y = pair(uniform(n, -1, 1));
            dev.scal(n, -0.7, y.d, 0);
            ref.scal(n, -0.7, y.r, 0);
            dev.axpy(n - 1, 1.3, x.d, 1, y.d, 0);
            ref.axpy(n - 1, 1.3, x.r, 1, y.r, 0);
            dev.axpby(n, 0.5, x.d, 0, -2.0, y.d, 0);
            ref.axpby(n, 0.5, x.r, 0, -2.0, y.r, 0);
            row("scal / axpy / axpby", y.err(), ELEMENTWISE_TOL);
        });
        guarded("dot / nrm2", () -> {
            Pair x = pair(uniform(n, -1, 1));
            Pair y = pair(uniform(n, -1, 1));
            double e1 = relErr(new double[] {ref.dot(n, x.r, 0, y.r, 0)}, new double[] {dev.dot(n, x.d, 0, y.d, 0)});
            double e2 = relErr(new double[] {ref.nrm2(n, x.r, 0)}, new double[] {dev.nrm2(n, x.d, 0)});
            row("dot / nrm2", Math.max(e1, e2), REDUCTION_TOL);
        });
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                String op = "gemm " + (ta ? "T" : "N") + (tb ? "T" : "N");
                guarded(op, () -> {
                    int m = 300;
                    int nn = 200;
                    int k = 150;
                    int lda = (ta ? m : k) + 1;
                    int ldb = (tb ? k : nn) + 2;
                    Pair a = pair(uniform((ta ? k : m) * lda + 1, -1, 1));
                    Pair b = pair(uniform((tb ? nn : k) * ldb, -1, 1));
                    Pair c = pair(uniform(m * nn, -1, 1));
                    dev.gemm(ta, tb, m, nn, k, 1.1, a.d, 1, lda, b.d, 0, ldb, 0.3, c.d, 0, nn);
                    ref.gemm(ta, tb, m, nn, k, 1.1, a.r, 1, lda, b.r, 0, ldb, 0.3, c.r, 0, nn);
                    row(op, c.err(), REDUCTION_TOL);
                });
            }
        }
        for (boolean ta : new boolean[] {false, true}) {
            String op = "gemv " + (ta ? "T" : "N");
            guarded(op, () -> {
                int m = 500;
                int nn = 300;
                Pair a = pair(uniform(m * (nn + 1), -1, 1));
                Pair x = pair(uniform(ta ? m : nn, -1, 1));
                Pair y = pair(uniform(ta ? nn : m, -1, 1));
                dev.gemv(ta, m, nn, 0.9, a.d, 0, nn + 1, x.d, 0, -1.0, y.d, 0);
                ref.gemv(ta, m, nn, 0.9, a.r, 0, nn + 1, x.r, 0, -1.0, y.r, 0);
                row(op, y.err(), REDUCTION_TOL);
            });
        }
        for (UnaryFn f : UnaryFn.values()) {
            int p = f == UnaryFn.POWI ? 3 : 0;
            String op = "unary+derivatives " + f.name().toLowerCase(Locale.ROOT) + (f == UnaryFn.POWI ? "^3" : "");
            guarded(op, () -> {
                double[] xv = f.positiveDomain() ? uniform(n, 0.05, 5) : uniform(n, -8, 8);
                Pair x = pair(xv);
                Pair y = pair(new double[n]);
                Pair y2 = pair(new double[n]);
                Pair d1 = pair(new double[n]);
                Pair d2 = pair(new double[n]);
                dev.unary(f, p, n, x.d, 0, y.d, 0);
                ref.unary(f, p, n, x.r, 0, y.r, 0);
                dev.unaryDerivatives(f, p, n, x.d, 0, y2.d, 0, d1.d, 0, d2.d, 0);
                ref.unaryDerivatives(f, p, n, x.r, 0, y2.r, 0, d1.r, 0, d2.r, 0);
                row(op, max(y, y2, d1, d2), ELEMENTWISE_TOL);
            });
        }
        int blk = 4;
        int m = n / blk;
        guarded("mulShared / mul2Shared", () -> {
            Pair a = pair(uniform(m, -1, 1));
            Pair x = pair(uniform(n, -1, 1));
            Pair bb = pair(uniform(m, -1, 1));
            Pair y = pair(uniform(n, -1, 1));
            Pair z = pair(uniform(n, -1, 1));
            Pair w = pair(uniform(n, -1, 1));
            dev.mulShared(m, blk, 0.5, a.d, 0, x.d, 0, 1.5, z.d, 0);
            ref.mulShared(m, blk, 0.5, a.r, 0, x.r, 0, 1.5, z.r, 0);
            dev.mul2Shared(m, blk, a.d, 0, x.d, 0, bb.d, 0, y.d, 0, 0.0, w.d, 0);
            ref.mul2Shared(m, blk, a.r, 0, x.r, 0, bb.r, 0, y.r, 0, 0.0, w.r, 0);
            row("mulShared / mul2Shared", max(z, w), ELEMENTWISE_TOL);
        });
        guarded("scaleByScalar (all flags)", () -> {
            double e = 0;
            for (boolean sPer : new boolean[] {false, true}) {
                for (int xMode = 0; xMode < 3; xMode++) {
                    Pair s = pair(uniform(blk, -2, 2));
                    Pair x = pair(uniform(n, -1, 1));
                    Pair y = pair(uniform(n, -1, 1));
                    dev.scaleByScalar(m, blk, 0.7, s.d, 0, sPer, xMode == 0 ? null : x.d, 0, xMode == 2, 0.5, y.d, 0);
                    ref.scaleByScalar(m, blk, 0.7, s.r, 0, sPer, xMode == 0 ? null : x.r, 0, xMode == 2, 0.5, y.r, 0);
                    e = Math.max(e, y.err());
                }
            }
            row("scaleByScalar (all flags)", e, ELEMENTWISE_TOL);
        });
        int nRows = 2000;
        int nCols = 50;
        guarded("addRowVector / columnSums", () -> {
            Pair bv = pair(uniform(nCols * 2, -1, 1));
            Pair z = pair(uniform(nRows * nCols * 2, -1, 1));
            Pair y = pair(uniform(nCols * 2, -1, 1));
            dev.addRowVector(nRows, nCols, 2, 1.5, bv.d, 0, true, z.d, 0);
            ref.addRowVector(nRows, nCols, 2, 1.5, bv.r, 0, true, z.r, 0);
            dev.columnSums(nRows, nCols, 2, 0.5, z.d, 0, 2.0, y.d, 0);
            ref.columnSums(nRows, nCols, 2, 0.5, z.r, 0, 2.0, y.r, 0);
            row("addRowVector", z.err(), ELEMENTWISE_TOL);
            row("columnSums", y.err(), REDUCTION_TOL);
        });
        guarded("biasUnary / biasMulShared (fused layer)", () -> {
            Pair bv = pair(uniform(nCols * 2, -1, 1));
            Pair z = pair(uniform(nRows * nCols * 2, -4, 4));
            Pair y = pair(new double[nRows * nCols]);
            Pair d1 = pair(new double[nRows * nCols]);
            Pair d2 = pair(new double[nRows * nCols]);
            dev.biasUnary(UnaryFn.SWISH, 0, nRows, nCols, bv.d, 0, z.d, 0, y.d, 0, d1.d, 0, d2.d, 0);
            ref.biasUnary(UnaryFn.SWISH, 0, nRows, nCols, bv.r, 0, z.r, 0, y.r, 0, d1.r, 0, d2.r, 0);
            row("biasUnary swish (z + b, f, f', f'')", max(z, y, d1, d2), ELEMENTWISE_TOL);
            Pair zt = pair(uniform(nRows * nCols * 2, -1, 1));
            Pair yt = pair(new double[nRows * nCols * 2]);
            dev.biasMulShared(nRows, nCols, 2, bv.d, 0, true, zt.d, 0, d1.d, 0, yt.d, 0);
            ref.biasMulShared(nRows, nCols, 2, bv.r, 0, true, zt.r, 0, d1.r, 0, yt.r, 0);
            row("biasMulShared (tangent)", max(zt, yt), ELEMENTWISE_TOL);
        });
        guarded("sums", () -> {
            Pair x = pair(uniform(n, -1, 1));
            Pair y = pair(uniform(blk, -1, 1));
            dev.sums(m, blk, 1.0, x.d, 0, -1.0, y.d, 0);
            ref.sums(m, blk, 1.0, x.r, 0, -1.0, y.r, 0);
            row("sums", y.err(), REDUCTION_TOL);
        });
        guarded("softmaxCrossEntropy", () -> {
            int r = 6000;
            int c = 10;
            Pair z = pair(uniform(r * c, -40, 40));
            int[] lab = new int[r];
            for (int i = 0; i < r; i++) {
                lab[i] = rnd.nextInt(c);
            }
            IArray ld = dev.allocInt(r);
            IArray lr = ref.allocInt(r);
            try {
                dev.uploadInt(lab, 0, ld, 0, r);
                ref.uploadInt(lab, 0, lr, 0, r);
                Pair p = pair(new double[r * c]);
                Pair g = pair(new double[r * c]);
                Pair loss = pair(new double[1]);
                dev.softmaxCrossEntropy(r, c, z.d, 0, ld, p.d, 0, g.d, 0, loss.d, 0);
                ref.softmaxCrossEntropy(r, c, z.r, 0, lr, p.r, 0, g.r, 0, loss.r, 0);
                row("softmaxCrossEntropy P, G", max(p, g), ELEMENTWISE_TOL);
                row("softmaxCrossEntropy loss", loss.err(), REDUCTION_TOL);
                Pair dz = pair(uniform(r * c * 2, -1, 1));
                Pair l = pair(new double[] {0.7, -1.3, 0.4});
                Pair out = pair(uniform(r * c * 2, -1, 1));
                dev.softmaxCeTvjp(r, c, 2, 0.01, p.d, 0, g.d, 0, dz.d, 0, l.d, 0, l.d, 1, 0.5, out.d, 0);
                ref.softmaxCeTvjp(r, c, 2, 0.01, p.r, 0, g.r, 0, dz.r, 0, l.r, 0, l.r, 1, 0.5, out.r, 0);
                row("softmaxCeTvjp", out.err(), ELEMENTWISE_TOL);
            } finally {
                ld.close();
                lr.close();
            }
        });
        guarded("transpose / max (extension primitives)", () -> {
            int r = 300;
            int c = 70;
            Pair x = pair(uniform(r * c * 2, -4, 4));
            Pair y = pair(uniform(r * c * 2, -1, 1));
            dev.transpose(r, c, 2, 1.5, x.d, 0, 0.5, y.d, 0);
            ref.transpose(r, c, 2, 1.5, x.r, 0, 0.5, y.r, 0);
            row("transpose (geam)", y.err(), ELEMENTWISE_TOL);
            Pair mx = pair(new double[r * c]);
            Pair mask = pair(new double[r * c]);
            dev.max(r * c, x.d, 0, y.d, 0, mx.d, 0, mask.d, 0);
            ref.max(r * c, x.r, 0, y.r, 0, mx.r, 0, mask.r, 0);
            row("max (value, mask)", max(mx, mask), ELEMENTWISE_TOL);
        });
        guarded("syevd / inertia", () -> {
            int k = 64;
            double[] a = uniform(k * k, -1, 1);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < i; j++) {
                    a[i * k + j] = a[j * k + i];
                }
            }
            Pair ae = pair(a);
            Pair w = pair(new double[k]);
            boolean ok = dev.syevd(k, ae.d, 0, w.d, 0, false).ok() & ref.syevd(k, ae.r, 0, w.r, 0, false).ok();
            row("syevd eigenvalues", ok ? w.err() : Double.POSITIVE_INFINITY, EIGEN_TOL, ok ? "" : "info != 0");
            Pair ai = pair(a);
            Inertia id = dev.inertia(k, ai.d, 0);
            Inertia ir = ref.inertia(k, ai.r, 0);
            double[] we = download(ref, w.r);
            long negEig = Arrays.stream(we).filter(x -> x < 0).count();
            boolean same = id.negative() == ir.negative() && id.zero() == ir.zero() && id.positive() == ir.positive()
                    && id.negative() == negEig;
            rows.add(new Row("inertia (sytrf)", same ? 0 : Double.POSITIVE_INFINITY, 0, same,
                    "device " + id.negative() + "/" + id.zero() + "/" + id.positive() + ", cpu " + ir.negative()
                            + "/" + ir.zero() + "/" + ir.positive() + ", eigenvalues < 0: " + negEig));
        });
    }
}
