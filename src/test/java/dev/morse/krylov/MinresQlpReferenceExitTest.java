package dev.morse.krylov;

import static dev.morse.krylov.TestMatrices.dist;
import static dev.morse.krylov.TestMatrices.download;
import static dev.morse.krylov.TestMatrices.gaussian;
import static dev.morse.krylov.TestMatrices.matvec;
import static dev.morse.krylov.TestMatrices.norm;
import static dev.morse.krylov.TestMatrices.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.krylov.MinresQlp.Exit;
import dev.morse.krylov.MinresQlp.Flag;
import dev.morse.krylov.MinresQlp.Options;
import dev.morse.krylov.MinresQlp.Stats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two exits of MINRES-QLP ({@link Exit}): each returns what its definition says, and the
 * reference exit follows the authors' Python port iterate by iterate. The expected iterates
 * in {@code port-iterates.txt} come from {@code tools/minresqlp_port_iterates.py}, a plain-Python
 * implementation of the port's algorithm (the same operations in another order and language,
 * so the two agree to rounding, amplified by 1/γ_k at a near-singular exit).
 */
class MinresQlpReferenceExitTest {
    /** Agreement with the Python iterates: rounding (1e-16) times the largest 1/γ_k of the cases (1e5), with margin. */
    private static final double PORT_TOL = 1e-9;
    private static final double PINV_TOL = 1e-9;
    /** The range part of a reference solution with a large null-space part: rounding relative to ‖x‖. */
    private static final double RANGE_TOL = 1e-11;
    private static final double EPS_SPECTRUM_CUT = 1e-12;

    private static Backend be;

    @BeforeAll
    static void open() {
        be = new CpuBackend();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private record Solve(Stats stats, double[] x) {
    }

    private static Solve solve(double[] a, double[] b, Options o) {
        int n = b.length;
        try (DArray am = upload(be, a); DArray bm = upload(be, b);
             MinresQlp.Workspace ws = new MinresQlp.Workspace(be, n)) {
            Stats st = MinresQlp.solve(new DenseOperator(be, n, am, 0), bm, 0, o, ws);
            return new Solve(st, download(be, ws.x(), n));
        }
    }

    /** One case of the resource file: the system, the settings, and the port's solve for each maxit. */
    private record PortCase(String name, double[] a, double[] b, Options options, List<int[]> flagsIters,
                            List<double[]> xs) {
    }

    private static List<PortCase> portCases() throws IOException {
        List<PortCase> cases = new ArrayList<>();
        try (InputStream in = MinresQlpReferenceExitTest.class.getResourceAsStream("port-iterates.txt")) {
            assertNotNull(in, "port-iterates.txt on the test classpath");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String name = null;
            int n = 0;
            double rtol = 0;
            double maxxnorm = 0;
            double acondlim = 0;
            double trancond = 0;
            List<double[]> rows = new ArrayList<>();
            double[] b = null;
            List<int[]> fi = new ArrayList<>();
            List<double[]> xs = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                String[] t = line.trim().split("\\s+");
                switch (t[0]) {
                    case "case" -> {
                        name = t[1];
                        rows = new ArrayList<>();
                        fi = new ArrayList<>();
                        xs = new ArrayList<>();
                    }
                    case "n" -> n = Integer.parseInt(t[1]);
                    case "rtol" -> rtol = Double.parseDouble(t[1]);
                    case "maxxnorm" -> maxxnorm = Double.parseDouble(t[1]);
                    case "acondlim" -> acondlim = Double.parseDouble(t[1]);
                    case "trancond" -> trancond = Double.parseDouble(t[1]);
                    case "A" -> rows.add(nums(t, 1));
                    case "b" -> b = nums(t, 1);
                    case "maxit" -> {
                        fi.add(new int[] {Integer.parseInt(t[1]), Integer.parseInt(t[3]), Integer.parseInt(t[5])});
                        xs.add(nums(t, 7));
                    }
                    case "end" -> {
                        double[] a = new double[n * n];
                        for (int i = 0; i < n; i++) {
                            System.arraycopy(rows.get(i), 0, a, i * n, n);
                        }
                        Options o = Options.defaults().withRtol(rtol).withMaxxnorm(maxxnorm).withAcondlim(acondlim)
                                .withTrancond(trancond).withExit(Exit.REFERENCE);
                        cases.add(new PortCase(name, a, b, o, fi, xs));
                    }
                    default -> {
                    }
                }
            }
        }
        return cases;
    }

    private static double[] nums(String[] t, int from) {
        return Arrays.stream(t, from, t.length).mapToDouble(Double::parseDouble).toArray();
    }

    @Test
    void referenceExitFollowsThePortIterateByIterate() throws IOException {
        List<PortCase> cases = portCases();
        assertEquals(3, cases.size());
        List<Integer> finalFlags = new ArrayList<>();
        for (PortCase c : cases) {
            for (int k = 0; k < c.flagsIters.size(); k++) {
                int[] fi = c.flagsIters.get(k);
                Solve s = solve(c.a, c.b, c.options.withMaxit(fi[0]));
                String where = c.name + " maxit " + fi[0] + ": " + s.stats;
                assertEquals(fi[1], s.stats.flag().code, where);
                assertEquals(fi[2], s.stats.iterations(), where);
                double[] want = c.xs.get(k);
                assertTrue(dist(s.x, want) <= PORT_TOL * Math.max(1, norm(want)),
                        where + ": |x - x_port| = " + dist(s.x, want) + ", |x_port| = " + norm(want));
            }
            finalFlags.add(c.flagsIters.get(c.flagsIters.size() - 1)[1]);
        }
        // the cases cover a least-squares exit (2), a maxxnorm exit (6) and a solved system (1)
        assertEquals(List.of(2, 6, 1), finalFlags);
    }

    @Test
    void onTheLeastSquaresExitTheReferenceKeepsTheNearNullStep() throws IOException {
        // Flag 2: relAres_{k-1} ≤ rtol. The minimum-length exit returns ≈ x_{k-1}; the reference
        // returns x_k, which adds μ_k w_k along the near-null eigenvectors (λ = 1e-5, -2e-5):
        // a longer x whose extra part H maps to almost nothing.
        PortCase c = portCases().get(0);
        Solve ref = solve(c.a, c.b, c.options);
        Solve min = solve(c.a, c.b, c.options.withExit(Exit.MINIMUM_LENGTH));
        assertEquals(Flag.RELARES, ref.stats.flag(), ref.stats.toString());
        assertEquals(Flag.RELARES, min.stats.flag(), min.stats.toString());
        assertTrue(norm(ref.x) > 100 * norm(min.x), "|x_ref| " + norm(ref.x) + ", |x_min| " + norm(min.x));
        double[] d = new double[ref.x.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = ref.x[i] - min.x[i];
        }
        // ‖H d‖/‖d‖ at most the near-null eigenvalues' size, far below ‖H‖ = 4
        assertTrue(norm(matvec(c.a, d)) < 1e-3 * norm(d), "|H d|/|d| = " + norm(matvec(c.a, d)) / norm(d));
    }

    private static double[] spreadSpectrum(int n, int zeros) {
        double[] l = new double[n];
        for (int i = 0; i < n; i++) {
            double mag = 1 + 99.0 * i / (n - 1);
            l[i] = i < zeros ? 0 : (i % 2 == 1 ? -mag : mag);
        }
        return l;
    }

    @Test
    void singularCompatibleSystemBothExitsGiveTheMinimumLengthSolution() {
        int n = 30;
        double[] q = TestMatrices.randomOrthogonal(n, new Random(61));
        double[] a = TestMatrices.withSpectrum(q, spreadSpectrum(n, 4));
        Random rnd = new Random(62);
        double[] b = new double[n];
        for (int k = 4; k < n; k++) { // b in the range of A
            double c = rnd.nextGaussian();
            for (int i = 0; i < n; i++) {
                b[i] += c * q[i * n + k];
            }
        }
        double[] pinv = TestMatrices.pinvSolve(be, a, b, 0, EPS_SPECTRUM_CUT);
        for (Exit exit : Exit.values()) {
            Solve s = solve(a, b, Options.defaults().withRtol(1e-12).withExit(exit));
            assertTrue(s.stats.flag() == Flag.RELRES || s.stats.flag() == Flag.RELRES_EPS, exit + ": " + s.stats);
            assertTrue(dist(s.x, pinv) < PINV_TOL * norm(pinv), exit + ": error " + dist(s.x, pinv) / norm(pinv));
        }
    }

    @Test
    void singularIncompatibleSystemMinimumLengthIsThePseudoInverseReferenceIsALeastSquaresSolution() {
        int n = 30;
        double[] q = TestMatrices.randomOrthogonal(n, new Random(71));
        double[] a = TestMatrices.withSpectrum(q, spreadSpectrum(n, 4));
        double[] b = gaussian(n, new Random(72)); // a component in the null space: incompatible
        double[] pinv = TestMatrices.pinvSolve(be, a, b, 0, EPS_SPECTRUM_CUT);
        Options o = Options.defaults().withRtol(1e-10).withAcondlim(1e300).withMaxxnorm(1e300);
        Solve min = solve(a, b, o.withExit(Exit.MINIMUM_LENGTH));
        assertTrue(min.stats.flag() == Flag.RELARES || min.stats.flag() == Flag.RELARES_EPS, min.stats.toString());
        assertTrue(dist(min.x, pinv) < PINV_TOL * norm(pinv), "error " + dist(min.x, pinv) / norm(pinv));
        Solve ref = solve(a, b, o.withExit(Exit.REFERENCE));
        // x_k with its last coefficient: its range part is A⁺b (the least-squares residual is
        // attained) and whatever it adds lies in the null space, so it is at least as long.
        double[] rangePart = TestMatrices.pinvSolve(be, a, matvec(a, ref.x), 0, EPS_SPECTRUM_CUT);
        // (to rounding in w_k times μ_k, a coefficient of the size of ‖x_ref‖)
        assertTrue(dist(rangePart, pinv) < RANGE_TOL * norm(ref.x), ref.stats + ": range part off by "
                + dist(rangePart, pinv) + ", |x_ref| " + norm(ref.x));
        assertTrue(norm(ref.x) > 1e3 * norm(pinv), "the exactly singular exit adds a large null-space part: |x_ref| "
                + norm(ref.x) + ", |A+ b| " + norm(pinv));
        assertTrue(norm(ref.x) >= norm(pinv) * (1 - 1e-9), "|x_ref| " + norm(ref.x) + " < |A+ b| " + norm(pinv));
    }
}
