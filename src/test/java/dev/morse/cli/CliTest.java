package dev.morse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line as a user meets it: help, info, exit codes. */
class CliTest {
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

    @Test
    void infoListsBothBackendsAndExitsZero() {
        Run r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("backend cpu:  usable"), r.out());
        assertTrue(r.out().contains("backend cuda:"), r.out());
        assertTrue(r.out().startsWith("morse "), r.out());
    }

    @Test
    void infoShowsTheCudaStackLayerByLayer() {
        Run r = run("info");
        for (String layer : new String[] {"cuda stack, layer by layer:", "  runtime libraries  ", "  NVRTC  ", "  cuBLAS  ",
                "  cuSOLVER  ", "  kernels  ", "  driver  ", "  devices  "}) {
            assertTrue(r.out().contains(layer), layer + " in\n" + r.out());
        }
    }

    @Test
    void gpuSetupAndTheDeviceFreeCheckRejectBadInputInOneLine() {
        Run jar = run("gpu-setup", "--jar", "/no/such/redist.jar");
        assertEquals(2, jar.code());
        assertEquals("morse: no such jar: /no/such/redist.jar", jar.err().strip());
        Run cpu = run("selftest", "--backend", "cpu", "--no-device");
        assertEquals(2, cpu.code());
        assertEquals("morse: --no-device checks the cuda backend, not cpu", cpu.err().strip());
    }

    @Test
    void helpDescribesEveryCommand() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"info", "bench", "gpu-setup", "selftest"}) {
            assertTrue(r.out().contains(c), "help mentions " + c);
        }
        Run b = run("bench", "hvp", "--help");
        assertEquals(0, b.code());
        assertTrue(b.out().contains("--quick") && b.out().contains("--out"), b.out());
    }

    @Test
    void evalTellsWhatAPointIs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path flat = dir.resolve("flat.txt");
        java.nio.file.Files.writeString(flat, Math.sqrt(2) + "\n0\n");
        Run r = run("eval", "experiments/e4-quartic.yaml", flat.toString(), "--json", "--backend", "cpu");
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("n_params").asInt());
        assertEquals(Math.pow(9 - 4 * Math.sqrt(2), 2), j.get("grad_norm_sq").asDouble(), 1e-12,
                "the quartic's gradient-flat point has ‖g‖² = (9 − 4√2)²");
        assertEquals(0.0, j.get("index").asDouble());
        assertEquals(10.0, j.get("max_eig").asDouble(), 1e-12);
        for (String key : new String[] {"loss", "min_eig"}) {
            assertTrue(j.has(key), key);
        }
        java.nio.file.Path bad = dir.resolve("bad.txt");
        java.nio.file.Files.writeString(bad, "1 2 3");
        Run b = run("eval", "experiments/e4-quartic.yaml", bad.toString(), "--backend", "cpu");
        assertEquals(2, b.code());
        assertTrue(b.err().contains("holds 3 numbers") && b.err().contains("N = 2"), b.err());
        assertEquals(1, b.err().strip().lines().count(), "one line: " + b.err());
        java.nio.file.Files.writeString(bad, "1 x");
        assertEquals(2, run("eval", "experiments/e4-quartic.yaml", bad.toString(), "--backend", "cpu").code());
        assertEquals(2, run("eval", "experiments/e4-quartic.yaml", dir.resolve("missing").toString(), "--backend",
                "cpu").code());
    }

    @Test
    void unusableBackendIsAUserError() {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.morse.backend.Backends.cudaStatus().usable(),
                "CUDA is usable here");
        Run r = run("selftest", "--backend", "cuda");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("morse: cuda backend not usable:"), r.err());
        assertTrue(!r.err().contains("at dev.morse"), "no stack trace: " + r.err());
    }

    @Test
    void runOnAMachineWithoutCudaOneLineAndExitTwoOrFallBackSayingWhy(@org.junit.jupiter.api.io.TempDir
                                                                       java.nio.file.Path dir) {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.morse.backend.Backends.cudaStatus().usable(),
                "CUDA is usable here");
        String reason = dev.morse.backend.Backends.cudaStatus().reason();
        java.nio.file.Path out = dir.resolve("cuda");
        Run r = run("run", "experiments/e4-quartic.yaml", "--quick", "--backend", "cuda", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("morse: cuda backend not usable: " + reason, r.err().strip(), "one line, no stack trace");
        assertTrue(!java.nio.file.Files.exists(out.resolve("runs.jsonl")), "nothing was run");

        Run a = run("run", "experiments/e4-quartic.yaml", "--quick", "--backend", "auto", "--shard", "1/20",
                "--out", dir.resolve("auto").toString());
        assertEquals(0, a.code(), a.err());
        assertTrue(a.err().lines().anyMatch(l -> l.equals("morse: backend auto → cpu (CUDA not usable: " + reason + ")")),
                a.err());
    }

    @Test
    void badOptionsAreUserErrors() {
        assertEquals(2, run("bench", "hvp", "--networks", "12-x@3", "--no-peer").code());
        assertEquals(2, run("bench", "hvp", "--no-such-option").code());
        assertEquals(2, run("no-such-command").code());
    }
}
