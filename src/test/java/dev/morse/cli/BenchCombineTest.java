package dev.morse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCombineTest {
    private static final String HEAD = "network,implementation,operation,median_s,min_s,max_s,reps\n";

    private static Path run(Path dir, String name, double scale) throws Exception {
        return run(dir, name, scale, "");
    }

    /** A run directory; {@code cpuSuffix} ends its morse-cpu header line (e.g. ", OPENBLAS_THREAD_TIMEOUT=4"). */
    private static Path run(Path dir, String name, double scale, String cpuSuffix) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        String net = "16-12-8-10@10000";
        Files.writeString(d.resolve("hvp.csv"), HEAD
                + "dgemm-2048,openblas,dgemm," + 0.2 * scale + ",0.19,0.3,9\n"
                + net + ",morse-cpu,gradient," + 0.008 * scale + ",0.007,0.009,200\n"
                + net + ",morse-cpu,hvp," + 0.012 * scale + ",0.011,0.013,200\n"
                + net + ",morse-cpu,hvp_marginal," + 0.004 * scale + ",0.003,0.005,200\n"
                + net + ",morse-cpu,hvp_block_per_direction," + 0.0045 * scale + ",0.004,0.005,20\n"
                + net + ",libtorch,gradient," + 0.0035 * scale + ",0.003,0.004,5\n"
                + net + ",libtorch,hvp," + 0.012 * scale + ",0.011,0.013,5\n");
        Files.writeString(d.resolve("hvp.md"), "# morse bench hvp\n\n- machine: x\n"
                + "- morse-cpu: OpenBLAS OpenBLAS 0.3.31 test (core Zen), 2 threads" + cpuSuffix + "\n- peer: libtorch test\n");
        return d;
    }

    private static int exec(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void threeRunsBecomeMediansWithRanges(@TempDir Path dir) throws Exception {
        Path a = run(dir, "run1", 1.0);
        Path b = run(dir, "run2", 2.0);
        Path c = run(dir, "run3", 1.5);
        Path out = dir.resolve("combined");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = exec(o, e, "bench", "combine", "--out", out.toString(), a.toString(), b.toString(), c.toString());
        assertEquals(0, code, e.toString());
        String md = Files.readString(out.resolve("hvp.md"));
        assertTrue(md.contains("# morse bench hvp: 3 runs"), md);
        assertTrue(md.contains("- morse-cpu: OpenBLAS OpenBLAS 0.3.31 test (core Zen), 2 threads, "
                + "OPENBLAS_THREAD_TIMEOUT not recorded\n"), md);
        // marginal: run medians 4, 8, 6 ms -> 6.00 (4.00-8.00); the ratio to libtorch's hvp (12, 24, 18 -> 18) is 0.333
        assertTrue(md.contains("| 16-12-8-10@10000 | morse-cpu hvp_marginal | 4.00 | 8.00 | 6.00 | 6.00 (4.00-8.00) |"), md);
        assertTrue(md.contains("| 0.333 |"), md);
        String csv = Files.readString(out.resolve("hvp.csv"));
        assertTrue(csv.contains("16-12-8-10@10000,morse-cpu,hvp_marginal,0.00600000000,0.00400000000,0.00800000000,3"), csv);
    }

    @Test
    void theRunsSpinSettingIsCarriedOverNotTheCombiningProcesss(@TempDir Path dir) throws Exception {
        Path a = run(dir, "run1", 1.0, ", OPENBLAS_THREAD_TIMEOUT=7");
        Path b = run(dir, "run2", 2.0, ", OPENBLAS_THREAD_TIMEOUT=7");
        Path out = dir.resolve("combined");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        assertEquals(0, exec(o, e, "bench", "combine", "--out", out.toString(), a.toString(), b.toString()), e.toString());
        String md = Files.readString(out.resolve("hvp.md"));
        assertTrue(md.contains("- morse-cpu: OpenBLAS OpenBLAS 0.3.31 test (core Zen), 2 threads, OPENBLAS_THREAD_TIMEOUT=7\n"), md);
    }

    @Test
    void aDirectoryWithoutHvpCsvIsAUserError(@TempDir Path dir) throws Exception {
        Path a = run(dir, "run1", 1.0);
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = exec(o, e, "bench", "combine", "--out", dir.resolve("x").toString(), a.toString(),
                dir.toString());
        assertEquals(2, code);
        assertTrue(e.toString().contains("has no hvp.csv"), e.toString());
    }
}
