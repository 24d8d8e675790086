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
    void helpDescribesEveryCommand() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"info", "bench"}) {
            assertTrue(r.out().contains(c), "help mentions " + c);
        }
        Run b = run("bench", "hvp", "--help");
        assertEquals(0, b.code());
        assertTrue(b.out().contains("--quick") && b.out().contains("--out"), b.out());
    }

    @Test
    void badOptionsAreUserErrors() {
        assertEquals(2, run("bench", "hvp", "--networks", "12-x@3", "--no-peer").code());
        assertEquals(2, run("bench", "hvp", "--no-such-option").code());
        assertEquals(2, run("no-such-command").code());
    }
}
