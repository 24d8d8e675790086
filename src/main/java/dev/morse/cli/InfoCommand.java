package dev.morse.cli;

import dev.morse.backend.cpu.CpuBackend;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code morse info}: version, Java, and each backend with whether it is usable and why not. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the morse version, the Java runtime, and each backend with whether it is usable.")
public final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("morse " + Version.get());
        out.println("java  " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores)");
        String cpu;
        try {
            cpu = "usable: " + CpuBackend.buildInfo() + ", " + CpuBackend.threads() + " BLAS threads";
        } catch (RuntimeException | LinkageError e) {
            cpu = "not usable: " + e.getMessage();
        }
        out.println("backend cpu:  " + cpu);
        for (String line : BackendChoice.cudaInfoLines()) {
            out.println(line);
        }
        out.flush();
        return 0;
    }
}
