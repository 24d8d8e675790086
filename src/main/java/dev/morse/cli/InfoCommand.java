package dev.morse.cli;

import dev.morse.backend.Backends;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.backend.cuda.CudaStack;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code morse info}: version, Java, each backend with whether it is usable and why not, and
 * the CUDA stack layer by layer (libraries, NVRTC, cuBLAS, cuSOLVER, kernels, driver, devices).
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the morse version, the Java runtime, each backend with whether it is usable, and the CUDA "
                + "stack layer by layer (each line a check made now).")
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
            cpu = "usable: " + CpuBackend.buildInfo() + ", " + CpuBackend.threads() + " BLAS threads, "
                    + CpuBackend.threadTimeout();
        } catch (RuntimeException | LinkageError e) {
            cpu = "not usable: " + e.getMessage();
        }
        out.println("backend cpu:  " + cpu);
        Backends.CudaStatus cuda = Backends.cudaStatus();
        out.println("backend cuda: " + (cuda.usable() ? "usable" : "not usable: " + cuda.reason()));
        out.print(CudaStack.format(CudaStack.inspect()));
        out.flush();
        return 0;
    }
}
