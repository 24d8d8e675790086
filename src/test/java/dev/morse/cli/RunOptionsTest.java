package dev.morse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.experiment.Spec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Issue 9 point 7: spec files and run options that used to be taken silently, or refused without a line number. */
class RunOptionsTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    private static void refused(Run r, String says) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(says), r.err());
    }

    @Test
    void duplicateKeysYamlErrorsAndBinaryFilesAreRefusedWithWhere(@TempDir Path dir) throws Exception {
        Path dup = dir.resolve("dup.yaml");
        Files.writeString(dup, "name: a\nseed: 1\nproblem: {kind: quartic}\nseed: 2\nmethods: [{kind: newton-mr}]\n");
        refused(run("run", dup.toString(), "--out", dir.resolve("o").toString()), "Duplicate field 'seed'");
        assertTrue(run("run", dup.toString(), "--out", dir.resolve("o").toString()).err().contains("line 4"));
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: a\nproblem: {kind: quartic\nmethods: []\n");
        refused(run("run", bad.toString()), "cannot parse " + bad + " at line ");
        Path bin = dir.resolve("bin.yaml");
        Files.write(bin, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff, (byte) 0xfe});
        refused(run("run", bin.toString()), "is not a text file");
        assertFalse(Files.exists(dir.resolve("o")), "nothing written");
    }

    @Test
    void shardAndWorkersOutOfRangeAreRefused(@TempDir Path dir) {
        String spec = "experiments/e4-quartic.yaml";
        String out = dir.resolve("o").toString();
        refused(run("run", spec, "--quick", "--out", out, "--shard", "1/2/3"), "--shard expects i/n");
        refused(run("run", spec, "--quick", "--out", out, "--shard", "3/2"), "--shard expects 1 ≤ i ≤ n");
        refused(run("run", spec, "--quick", "--out", out, "--workers", "-1"), "--workers expects 1 to 1024, got -1");
        refused(run("run", spec, "--quick", "--out", out, "--workers", "0"), "--workers expects 1 to 1024, got 0");
        refused(run("run", spec, "--quick", "--out", out, "--workers", "1025"), "--workers expects 1 to 1024");
        assertFalse(Files.exists(dir.resolve("o")), "nothing written");
    }

    @Test
    void theHeaderCountsTheShardsRunsAndSaysWorker() {
        Spec s = Spec.load(Path.of("experiments/e4-quartic.yaml"), false);
        assertEquals("morse run: e4-quartic → out (50 of 100 runs: shard 1/2, 1 worker, cpu)",
                RunCommand.header(s, Path.of("out"), 1, 2, 1, "cpu", false));
        assertEquals("morse run: e4-quartic → out (34 of 100 runs: shard 1/3, 2 workers, cpu)",
                RunCommand.header(s, Path.of("out"), 1, 3, 2, "cpu", false));
        assertEquals("morse run: e4-quartic → out (100 runs, 2 workers, cpu, quick)",
                RunCommand.header(s, Path.of("out"), 1, 1, 2, "cpu", true));
    }
}
