package dev.morse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * README's user problem (Himmelblau) compiles as written, is at most 30 lines, and
 * {@code morse run} on README's spec ends at points of every kind, told apart by the Morse
 * index: minima (0), saddles (1/2) and the maximum (1). A missing class or one of the wrong
 * type is a one-line spec error with exit code 2.
 */
class CustomProblemReadmeTest {
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

    private static String block(String lang, String mustContain) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("```" + lang + "\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (m.find()) {
            if (m.group(1).contains(mustContain)) {
                return m.group(1);
            }
        }
        throw new AssertionError("README.md has no ```" + lang + " block containing " + mustContain);
    }

    private static Path compile(Path dir) throws Exception {
        String code = block("java", "class Himmelblau");
        assertTrue(code.strip().lines().count() <= 30, "the user problem is at most 30 lines");
        Path src = dir.resolve("Himmelblau.java");
        Files.writeString(src, code);
        Path classes = dir.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, null, diag, "-cp", System.getProperty("java.class.path"), "-d", classes.toString(),
                src.toString());
        assertEquals(0, rc, "javac: " + diag.toString(StandardCharsets.UTF_8));
        return classes;
    }

    @Test
    void readmeProblemRunsAndFindsEveryKindOfPoint(@TempDir Path dir) throws Exception {
        Path classes = compile(dir);
        Path spec = dir.resolve("himmelblau.yaml");
        Files.writeString(spec, block("yaml", "kind: java"));
        Path out = dir.resolve("out");
        Run r = run("run", spec.toString(), "--classpath", classes.toString(), "--out", out.toString(),
                "--workers", "1", "--backend", "cpu");
        assertEquals(0, r.code(), r.err() + r.out());
        TreeSet<Double> indices = new TreeSet<>();
        int matched = 0;
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve("runs.jsonl"))) {
            JsonNode rec = json.readTree(line);
            if (rec.path("grad_norm_sq").asDouble(1) < 1e-10 && rec.has("index")) {
                indices.add(rec.get("index").asDouble());
                matched += rec.path("analytic_match").asBoolean() ? 1 : 0;
            }
        }
        assertEquals(new TreeSet<>(List.of(0.0, 0.5, 1.0)), indices, "minima, saddles and the maximum: " + indices);
        assertTrue(matched > 0, "some run ends at the given minimum (3, 2)");
        assertTrue(Files.exists(out.resolve("analytic.csv")), "the given critical point is tabulated");
    }

    @Test
    void evalTakesTheClasspathToo(@TempDir Path dir) throws Exception {
        Path classes = compile(dir);
        Path spec = dir.resolve("himmelblau.yaml");
        Files.writeString(spec, block("yaml", "kind: java"));
        Path theta = dir.resolve("theta.txt");
        Files.writeString(theta, "3 2\n");
        Run r = run("eval", spec.toString(), theta.toString(), "--classpath", classes.toString(), "--backend", "cpu",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertEquals(0.0, o.path("loss").asDouble(), 0.0, "(3, 2) is a minimum of loss 0: " + o);
        assertEquals(0.0, o.path("index").asDouble(), 0.0, "no negative eigenvalue at a minimum: " + o);
        assertTrue(o.path("problem").asText().contains("org.example.Himmelblau"), o.toString());

        r = run("eval", spec.toString(), theta.toString(), "--backend", "cpu");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("org.example.Himmelblau") && r.err().contains("not found"), r.err());
    }

    @Test
    void missingOrWrongClassIsAOneLineSpecError(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("missing.yaml");
        Files.writeString(spec, "name: x\nproblem: {kind: java, class: org.example.Nowhere}\n"
                + "methods:\n  - {kind: newton-mr, runs: 1, iterations: 5}\n");
        Run r = run("run", spec.toString(), "--out", dir.resolve("o1").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("org.example.Nowhere") && r.err().contains("not found"), r.err());

        Files.writeString(spec, "name: x\nproblem: {kind: java, class: java.lang.String}\n"
                + "methods:\n  - {kind: newton-mr, runs: 1, iterations: 5}\n");
        r = run("run", spec.toString(), "--out", dir.resolve("o2").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("does not implement dev.morse.problems.CustomProblem"), r.err());

        r = run("run", spec.toString(), "--classpath", dir.resolve("no.jar").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("no.jar"), r.err());
    }
}
