package dev.morse.cli;

import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.backend.cuda.SelfTest;
import dev.morse.bench.EngineSelfTest;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code morse selftest --backend cuda}: what a GPU user runs first. */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = {"Run the backend conformance checks on a device against the CPU backend, then the engine "
                + "(gradient, HVP, hvpBlock, dense Hessian, spectrum, inertia) and time one HVP on each.",
                "Prints operation, max relative error, tolerance, pass/fail. Exit 0 all pass, 1 a check failed, "
                        + "2 the backend is not usable."})
public final class SelfTestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--backend", defaultValue = "cuda", description = "Backend to test against the CPU (default: ${DEFAULT-VALUE}).")
    String backend;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Backend dev = BackendOption.open(backend, err); Backend cpu = new CpuBackend()) {
            out.println("morse selftest: " + dev.description() + " against " + cpu.description());
            out.flush();
            SelfTest.Report r = SelfTest.run(dev, cpu, 20240601L, List.of(EngineSelfTest.standard()));
            out.print(r.table());
            out.println(r.passed() ? "all checks passed" : "SOME CHECKS FAILED");
            out.flush();
            return r.passed() ? 0 : 1;
        }
    }
}
