package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing, opt-in ({@code mvn -B test -Dtest=CudaRedistRealTest -Dmorse.cuda.redist=true}):
 * {@code morse gpu-setup} into an empty MORSE_CACHE (Maven resolves the 2.09 GB jar, once per
 * machine; the six libraries are extracted and checked), then {@code morse selftest --backend
 * cuda --no-device} and {@code morse info} in fresh JVMs (a JVM loads the libraries once, so
 * these cannot run in this one). About a minute with the jar in Maven's repository.
 */
@EnabledIfSystemProperty(named = "morse.cuda.redist", matches = "true")
class CudaRedistRealTest {
    private record Result(int code, String out) {
    }

    private static Result morse(Path cache, String... args) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss8m", "-Dorg.bytedeco.javacpp.maxBytes=0", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                "-Dmorse.home=" + Path.of("").toAbsolutePath(), "-cp", cp, "dev.morse.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MORSE_CACHE", cache.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(15, TimeUnit.MINUTES));
        return new Result(p.exitValue(), out);
    }

    @Test
    void setupThenEverythingBelowTheDriverPasses(@TempDir Path cache) throws Exception {
        Result setup = morse(cache, "gpu-setup");
        assertEquals(0, setup.code(), setup.out());
        for (CudaRedist.Library l : CudaRedist.LIBRARIES) {
            assertTrue(setup.out().contains(l.soname()) && setup.out().contains(l.sha256() + "  ok"), setup.out());
            assertEquals(l.sha256(), CudaRedist.sha256(cache.resolve(CudaRedist.CACHE_NAME).resolve(l.soname())));
        }
        try (var files = Files.list(cache.resolve(CudaRedist.CACHE_NAME))) {
            assertEquals(CudaRedist.LIBRARIES.size(), files.count(), "only the six libraries");
        }

        Result check = morse(cache, "selftest", "--backend", "cuda", "--no-device");
        assertEquals(0, check.code(), check.out());
        boolean driver = CudaProbe.status().driverVersion() > 0;
        List<String> expected = new ArrayList<>();
        for (CudaRedist.Library l : CudaRedist.LIBRARIES) {
            expected.add("library " + l.soname());
        }
        for (KernelModule m : KernelModule.values()) {
            for (int arch : DeviceFreeCheck.ARCHS) {
                expected.add("NVRTC " + m.sourceName() + " sm_" + arch);
            }
        }
        expected.add("cuBLAS cublasCreate");
        expected.add("cuSOLVER cusolverDnCreate");
        for (String net : dev.morse.bench.HvpBench.NETWORKS) {
            expected.add("memory " + dev.morse.bench.HvpBench.Net.parse(net).name());
        }
        for (String e : expected) {
            assertTrue(check.out().lines().anyMatch(l -> l.startsWith(e + " ") && l.contains(" pass ")), e + " in\n" + check.out());
        }
        if (!driver) {
            assertTrue(check.out().contains("pass  CUBLAS_STATUS_NOT_INITIALIZED"), check.out());
            assertTrue(check.out().contains("pass  CUSOLVER_STATUS_NOT_INITIALIZED"), check.out());
        }
        assertTrue(check.out().contains("device-free check passed"), check.out());

        Result info = morse(cache, "info");
        assertEquals(0, info.code(), info.out());
        List<String> missing = info.out().lines().filter(l -> l.matches("  \\S.*?  +MISSING  .*")).toList();
        if (!driver) {
            assertEquals(1, missing.size(), info.out());
            assertTrue(missing.get(0).startsWith("  driver "), info.out());
        } else {
            assertTrue(missing.isEmpty() || missing.stream().allMatch(l -> l.startsWith("  devices ")), info.out());
        }
        assertTrue(info.out().contains("runtime libraries  ok       all 6 loaded: CUDA 11.8 from "), info.out());
    }
}
