package dev.morse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morse.index.DenseRoutes;
import dev.morse.index.IndexEstimator.Method;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code morse eval --index}, and the memory check that refuses a batch before it starts. */
class IndexCliTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static final String SMALL = "name: small\nseed: 1\nproblem:\n  kind: mlp\n  widths: [16, 24, 16]\n"
            + "  activation: swish\n  loss: mse\n  data: {source: gaussian, n: 200, features: 16, seed: 1}\n"
            + "methods:\n  - {kind: newton-mr, runs: 1, iterations: 1}\n";

    @Test
    void evalGivesEveryRouteWithItsKeys(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("small.yaml");
        Files.writeString(spec, SMALL);
        int n = 16 * 24 + 24 + 24 * 16 + 16;
        Random r = new Random(4);
        StringBuilder th = new StringBuilder();
        for (int i = 0; i < n; i++) {
            th.append(0.4 * r.nextGaussian()).append('\n');
        }
        Path theta = dir.resolve("theta.txt");
        Files.writeString(theta, th);
        ObjectMapper json = new ObjectMapper();
        JsonNode exact = null;
        for (String m : new String[] {"spectrum", "inertia", "lanczos", "slq"}) {
            Path png = dir.resolve(m + ".png");
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("eval", spec.toString(),
                    theta.toString(), "--index", m, "--json", "--backend", "cpu", "--threshold", "1e-3", "--probes", "4",
                    "--steps", "40"));
            if (!m.equals("inertia")) {
                args.add("--density-plot=" + png);
            }
            Run e = run(args.toArray(new String[0]));
            assertEquals(0, e.code(), e.err());
            JsonNode j = json.readTree(e.out());
            for (String key : new String[] {"index_method", "index", "index_low", "index_high", "index_threshold",
                    "min_eig", "max_eig"}) {
                assertTrue(j.has(key), m + ": " + key + " in " + e.out());
            }
            assertEquals(m, j.get("index_method").asText());
            assertTrue(j.get("index_low").asDouble() <= j.get("index").asDouble()
                    && j.get("index").asDouble() <= j.get("index_high").asDouble(), e.out());
            if (m.equals("spectrum")) {
                exact = j;
            } else if (m.equals("inertia")) {
                assertEquals(exact.get("index").asDouble(), j.get("index").asDouble(), 0.0, "inertia = spectrum");
            } else {
                assertTrue(Files.size(png) > 1000, "density plot written");
                double f = exact.get("index").asDouble();
                assertTrue(j.get("index_threshold").asDouble() >= 1e-3, e.out());
                assertTrue(j.get("min_eig").asDouble() >= exact.get("min_eig").asDouble() - 1e-9, "Ritz value ≥ λ_min");
                if (j.get("index_threshold").asDouble() == 1e-3) {
                    assertTrue(j.get("index_low").asDouble() <= f && f <= j.get("index_high").asDouble(), e.out());
                }
            }
        }
        Run text = run("eval", spec.toString(), theta.toString(), "--index", "slq", "--backend", "cpu", "--probes", "4",
                "--steps", "40");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("band [") || text.out().contains("exact"), text.out());
        Run bad = run("eval", spec.toString(), theta.toString(), "--index", "dense", "--backend", "cpu");
        assertEquals(2, bad.code());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }

    @Test
    void aSpecThatCannotFitIsRefusedBeforeItStarts(@TempDir Path dir) throws Exception {
        // 784-2048-784: N = 3,214,096; a dense spectrum would need 75 TiB; a dense spectrum would need 3.2 PB
        String big = "name: big\nseed: 1\nproblem:\n  kind: mlp\n  widths: [784, 2048, 784]\n  activation: swish\n"
                + "  loss: mse\n  data: {source: gaussian, n: 4, features: 784, seed: 1}\n"
                + "methods:\n  - {kind: newton-mr, runs: 2, iterations: 1, hessian: matrix-free}\nindex: {method: spectrum}\n";
        Path spec = dir.resolve("big.yaml");
        Files.writeString(spec, big);
        Path out = dir.resolve("out");
        Run r = run("run", spec.toString(), "--backend", "cpu", "--out", out.toString(), "--workers", "1");
        assertEquals(2, r.code(), r.err());
        String line = r.err().strip().lines().filter(l -> l.contains("N = ")).findFirst().orElse(r.err());
        assertTrue(line.contains("N = 3214096") && line.contains("needs") && line.contains("available")
                && line.contains("index method slq fits"), line);
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(Files.exists(out.resolve("runs.jsonl")), "nothing ran");
        // the same with a dense Hessian in the method
        Files.writeString(spec, big.replace("hessian: matrix-free", "hessian: dense").replace("spectrum", "slq"));
        Run d = run("run", spec.toString(), "--backend", "cpu", "--out", dir.resolve("out2").toString());
        assertEquals(2, d.code(), d.err());
        assertTrue(d.err().contains("dense Hessian at N = 3214096"), d.err());
    }

    @Test
    void routesAndTheirLargestN() {
        long gib24 = 24L << 30;
        int spectrum = DenseRoutes.largestN(Method.SPECTRUM, gib24, DenseRoutes.Device.CPU);
        int inertia = DenseRoutes.largestN(Method.INERTIA, gib24, DenseRoutes.Device.CPU);
        // 24 GiB would hold N ≈ 56,700, but one CPU array holds at most 2³¹ − 16 elements
        assertEquals(DenseRoutes.CPU_MAX_DENSE_N, spectrum);
        assertEquals(DenseRoutes.CPU_MAX_DENSE_N, inertia);
        assertTrue((long) spectrum * spectrum <= Integer.MAX_VALUE - 16
                && (long) (spectrum + 1) * (spectrum + 1) > Integer.MAX_VALUE - 16);
        long gib12 = 12L << 30;
        int small = DenseRoutes.largestN(Method.SPECTRUM, gib12, DenseRoutes.Device.CPU);
        assertTrue(small > 38_000 && small < 41_000, "8N² ≈ 12 GiB: " + small);
        assertTrue(DenseRoutes.bytes(Method.SPECTRUM, small, DenseRoutes.Device.CPU, 0, 0) <= gib12);
        assertTrue(DenseRoutes.bytes(Method.SPECTRUM, small + 1, DenseRoutes.Device.CPU, 0, 0) > gib12);
        assertTrue(DenseRoutes.largestN(Method.INERTIA, gib12, DenseRoutes.Device.CPU) < small,
                "dsytrf's N·nb workspace");
        // past the array limit: auto goes to slq, a dense route is refused with the reason and a route that fits
        long gib64 = 64L << 30;
        assertEquals(Method.SLQ, DenseRoutes.resolve(Method.AUTO, 50_000, 60_000, gib64, DenseRoutes.Device.CPU));
        String why = DenseRoutes.refusal(Method.INERTIA, 52_728, 1, gib64, DenseRoutes.Device.CPU, 0, 16, "index method inertia");
        assertTrue(why != null && why.contains("N ≤ 46340") && why.contains("slq fits"), why);
        assertEquals(null, DenseRoutes.refusal(Method.INERTIA, 52_728, 1, gib64, DenseRoutes.Device.GPU, 0, 16, "x"));
        int gpu = DenseRoutes.largestN(Method.SPECTRUM, DenseRoutes.usable(80_000_000_000L, DenseRoutes.Device.GPU),
                DenseRoutes.Device.GPU);
        assertTrue(gpu > 60_000 && gpu < 80_000, "H and an N² cuSOLVER buffer in 95% of 80 GB: " + gpu);
        assertEquals(Method.SPECTRUM, DenseRoutes.resolve(Method.AUTO, 1000, 4000, gib24, DenseRoutes.Device.CPU));
        assertEquals(Method.INERTIA, DenseRoutes.resolve(Method.AUTO, 10_000, 4000, gib24, DenseRoutes.Device.CPU));
        assertEquals(Method.SLQ, DenseRoutes.resolve(Method.AUTO, 814_090, 4000, gib24, DenseRoutes.Device.CPU));
        assertEquals(Method.LANCZOS, DenseRoutes.resolve(Method.LANCZOS, 10, 4000, gib24, DenseRoutes.Device.CPU));
    }
}
