package dev.morse.cli;

import dev.morse.experiment.JavaProblems;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * {@code --classpath JAR}: the jars or class directories of a spec's {@code problem: {kind: java}}
 * class (a picocli mixin of {@code run} and {@code eval}). The class is loaded through the
 * thread's context class loader ({@link JavaProblems}), which this extends while a command runs.
 */
final class ClasspathOption {
    @Option(names = "--classpath", paramLabel = "JAR", split = "${sys:path.separator}",
            description = "Jars or class directories holding the classes of problem kind java (problem.class).")
    List<Path> classpath;

    /** Runs {@code body} with the classpath on the context class loader, restored afterwards. */
    <T> T around(Callable<T> body) throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try {
            if (classpath != null && !classpath.isEmpty()) {
                Thread.currentThread().setContextClassLoader(JavaProblems.classLoader(classpath,
                        ClasspathOption.class.getClassLoader(), "--classpath"));
            }
            return body.call();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }
}
