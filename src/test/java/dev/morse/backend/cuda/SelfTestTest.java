package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.Backend;
import dev.morse.backend.Backends;
import dev.morse.backend.cpu.CpuBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The self-test's own logic on a pair of CPU backends; and its CLI entry without CUDA. */
class SelfTestTest {
    @Test
    void cpuAgainstCpuPassesEveryRowAndExtensionsAddRows() {
        try (Backend a = new CpuBackend(); Backend b = new CpuBackend()) {
            long before = a.liveBytes();
            SelfTest.Report r = SelfTest.run(a, b, 7L, List.of((dev, ref, rows, timings) -> {
                rows.add(new SelfTest.Row("hvp", 0.0, 1e-12, true, ""));
                timings.add(new SelfTest.Timing("hvp", dev.name(), 1.25));
            }));
            assertTrue(r.passed(), r.table());
            assertTrue(r.rows().size() >= 25, "rows: " + r.rows().size());
            for (SelfTest.Row row : r.rows()) {
                if (!row.operation().startsWith("syevd") && !row.operation().startsWith("inertia")) {
                    assertEquals(0.0, row.maxRelError(), row.operation() + ": same backend, same inputs");
                }
            }
            String t = r.table();
            assertTrue(t.contains("gemm TN") && t.contains("unary+derivatives powi^3") && t.contains("hvp"), t);
            assertTrue(t.contains("all " + r.rows().size() + " checks passed"), t);
            assertEquals(before, a.liveBytes(), "the self-test frees its arrays");
        }
    }

    @Test
    void aFailingRowFailsTheReport() {
        SelfTest.Report r = new SelfTest.Report("d", "r",
                List.of(new SelfTest.Row("x", 1.0, 1e-12, false, "")), List.of());
        assertFalse(r.passed());
        assertTrue(r.table().contains("FAIL") && r.table().contains("1 of 1 checks FAILED"), r.table());
    }

    @Test
    void cliWithoutCudaExitsWithTwoAndTheReason() {
        if (Backends.cudaStatus().usable()) {
            return; // on a GPU machine the CLI runs for real (see docs/GPU.md)
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SelfTest.runCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains(Backends.cudaStatus().reason()) && e.lines().count() == 1, e);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
