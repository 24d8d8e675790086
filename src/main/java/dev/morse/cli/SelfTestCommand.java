package dev.morse.cli;

import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import dev.morse.backend.cuda.DeviceFreeCheck;
import dev.morse.backend.cuda.SelfTest;
import dev.morse.bench.BenchMemoryEstimate;
import dev.morse.bench.EngineSelfTest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
                        + "2 the backend is not usable.",
                "With --no-device: everything below the driver, on any machine (after ./morse gpu-setup)."})
public final class SelfTestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--backend", defaultValue = "cuda", description = "Backend to test against the CPU (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--no-device", description = "Check everything below the driver, without a GPU (cuda only): the "
            + "runtime libraries, every kernel compiled by NVRTC for sm_70 sm_80 sm_86 sm_89 sm_90, the fatbins against "
            + "their manifest, cuBLAS / cuSOLVER linked (handles: not initialized), the benchmark networks' memory.")
    boolean noDevice;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (noDevice) {
            if (!backend.equalsIgnoreCase("cuda")) {
                throw new UserException("--no-device checks the cuda backend, not " + backend);
            }
            return deviceFree(out);
        }
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

    /** The device-free check: one row per check, exit 0 only if all pass. */
    private int deviceFree(PrintWriter out) {
        long t0 = System.nanoTime();
        out.println("morse selftest --no-device: the CUDA backend below the driver");
        out.flush();
        List<DeviceFreeCheck.Row> rows = new ArrayList<>(DeviceFreeCheck.run());
        rows.addAll(BenchMemoryEstimate.rows());
        DeviceFreeCheck.Report r = new DeviceFreeCheck.Report(rows);
        out.print(r.table());
        out.printf(Locale.ROOT, "%s in %.1f s; needs a GPU: the driver calls, kernel launches, graphs, timings%n",
                r.passed() ? "device-free check passed" : "DEVICE-FREE CHECK FAILED", (System.nanoTime() - t0) / 1e9);
        out.flush();
        return r.passed() ? 0 : 1;
    }
}
