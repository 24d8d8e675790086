package dev.morse.cli;

import dev.morse.backend.Backend;
import dev.morse.backend.cpu.CpuBackend;
import java.util.List;
import java.util.Locale;

/** Opens the backend a user named (auto, cpu, cuda), saying why when CUDA is not used. */
final class BackendChoice {
    private BackendChoice() {
    }

    /** Why CUDA cannot be used here, or null when it can. */
    static String cudaUnusableReason() {
        try {
            jcuda.driver.JCudaDriver.setExceptionsEnabled(true);
            jcuda.driver.JCudaDriver.cuInit(0);
            int[] count = new int[1];
            jcuda.driver.JCudaDriver.cuDeviceGetCount(count);
            return count[0] == 0 ? "no CUDA device found" : null;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("libcuda")) {
                return "the NVIDIA driver library (libcuda.so.1) is missing";
            }
            return m.lines().findFirst().orElse(e.getClass().getSimpleName());
        }
    }

    static List<String> cudaInfoLines() {
        String why = cudaUnusableReason();
        return List.of("backend cuda: " + (why == null ? "usable" : "not usable: " + why));
    }

    static Backend open(String name, java.io.PrintWriter err) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "cpu":
                return new CpuBackend();
            case "cuda": {
                String why = cudaUnusableReason();
                throw new UserException("backend cuda is not usable: " + (why == null ? "not built yet" : why));
            }
            case "auto": {
                String why = cudaUnusableReason();
                err.println("morse: backend auto → cpu (cuda not usable: " + (why == null ? "not built yet" : why) + ")");
                err.flush();
                return new CpuBackend();
            }
            default:
                throw new UserException("unknown backend '" + name + "' (expected auto, cpu or cuda)");
        }
    }
}
