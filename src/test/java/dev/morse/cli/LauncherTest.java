package dev.morse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./morse launcher. A JVM loads classes lazily, so a batch started from target/classes
 * picked up classes of a later build (mvn test, or ./morse after a source edit) the first
 * time it needed them, and its report at the end died with NoSuchMethodError. The launcher
 * now runs from a snapshot jar; this test starts it with a stand-in Main that loads a class
 * only after the classes on disk have been replaced, and expects the class of launch time.
 */
class LauncherTest {
    private static final String MAIN = "package dev.morse.cli;\n"
            + "public class Main {\n"
            + "  public static void main(String[] a) throws Exception {\n"
            + "    System.out.println(\"ready\");\n"
            + "    System.out.flush();\n"
            + "    java.nio.file.Path go = java.nio.file.Path.of(a[0]);\n"
            + "    while (!java.nio.file.Files.exists(go)) Thread.sleep(20);\n"
            + "    System.out.println(Late.version());\n"
            + "  }\n"
            + "}\n";

    private static String late(String v) {
        return "package dev.morse.cli;\npublic class Late { public static String version() { return \"" + v
                + "\"; } }\n";
    }

    private static void compile(Path src, Path classes, String name, String code) throws IOException {
        Path f = src.resolve(name + ".java");
        Files.writeString(f, code);
        JavaCompiler jc = ToolProvider.getSystemJavaCompiler();
        int rc = jc.run(null, null, null, "-d", classes.toString(), "-cp", classes.toString(), f.toString());
        assertEquals(0, rc, "javac " + name);
    }

    /**
     * Makes {@code root} (whose target/classes holds the stand-in classes) a checkout the
     * launcher takes as built: the launcher script, an empty pom and src/main older than the
     * build stamp (so it must not run Maven), an empty classpath file.
     */
    private static void builtCheckout(Path root) throws IOException {
        Files.createDirectories(root.resolve("src/main"));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        Files.copy(Path.of("morse"), root.resolve("morse"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.writeString(root.resolve("target/classpath.txt"), "");
        Path stamp = root.resolve("target/.morse-built");
        Files.writeString(stamp, "");
        Files.setLastModifiedTime(root.resolve("pom.xml"), Files.getLastModifiedTime(stamp));
    }

    @Test
    void aRunningCommandKeepsTheClassesItStartedWith(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(ToolProvider.getSystemJavaCompiler() != null, "no system Java compiler");
        Path root = tmp.resolve("root");
        Path classes = root.resolve("target/classes");
        Path src = Files.createDirectories(tmp.resolve("src"));
        compile(src, Files.createDirectories(classes), "Late", late("v1"));
        compile(src, classes, "Main", MAIN);
        builtCheckout(root);

        Path go = tmp.resolve("go");
        Process p = new ProcessBuilder("bash", root.resolve("morse").toString(), go.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            // a rebuild replaces the class before the running command first uses it
            compile(src, classes, "Late", late("v2"));
            Files.writeString(go, "");
            String line = out.readLine();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals("v1", line, "the running command loaded a class of a later build");
        } finally {
            p.destroyForcibly();
        }
        // a command started after the rebuild sees it
        Process q = new ProcessBuilder("bash", root.resolve("morse").toString(), go.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(q.waitFor(60, TimeUnit.SECONDS));
        assertEquals(List.of("ready", "v2"), lines);
    }

    /** A stand-in Main that prints the variable OpenBLAS reads at load time. */
    private static final String ENV_MAIN = "package dev.morse.cli;\n"
            + "public class Main {\n"
            + "  public static void main(String[] a) {\n"
            + "    System.out.println(System.getenv(\"OPENBLAS_THREAD_TIMEOUT\"));\n"
            + "  }\n"
            + "}\n";

    @Test
    void theLauncherShortensOpenBlasSpinUnlessTheUserChoseOne(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(ToolProvider.getSystemJavaCompiler() != null, "no system Java compiler");
        Path root = tmp.resolve("root");
        Path classes = Files.createDirectories(root.resolve("target/classes"));
        compile(Files.createDirectories(tmp.resolve("src")), classes, "Main", ENV_MAIN);
        builtCheckout(root);
        for (String[] c : new String[][] {{null, "4"}, {"9", "9"}}) {
            ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("morse").toString()).redirectErrorStream(true);
            pb.environment().remove("OPENBLAS_THREAD_TIMEOUT");
            if (c[0] != null) {
                pb.environment().put("OPENBLAS_THREAD_TIMEOUT", c[0]);
            }
            Process p = pb.start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(List.of(c[1]), lines, "set beforehand: " + c[0]);
        }
    }
}
