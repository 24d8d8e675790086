package dev.morse.backend;

import dev.morse.backend.cpu.CpuBackend;
import dev.morse.backend.cuda.CudaBackend;
import dev.morse.backend.cuda.CudaProbe;
import dev.morse.backend.cuda.DeviceInfo;
import java.util.List;
import java.util.Locale;
import jcuda.CudaException;

/**
 * Backend selection: {@code auto} (CUDA when a device, the driver, the CUDA 11.x libraries
 * and morse's kernels all load, else the CPU, with the reason in one line), {@code cpu},
 * {@code cuda} (throws {@link BackendUnavailableException} with the reason when not usable).
 */
public final class Backends {
    private Backends() {
    }

    /** The --backend choices. */
    public enum Choice {
        AUTO, CPU, CUDA;

        /** Parses auto|cpu|cuda (case-insensitive); IllegalArgumentException otherwise. */
        public static Choice parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("backend must be auto, cpu or cuda, not '" + s + "'");
            }
        }
    }

    /** An opened backend and, for auto, why it was chosen (one line). */
    public record Selection(Backend backend, String reason) {
    }

    /** Whether CUDA is usable here, and if not, why (one line). */
    public record CudaStatus(boolean usable, String reason) {
    }

    /** CUDA usability without opening a context (driver, devices, libraries). */
    public static CudaStatus cudaStatus() {
        CudaProbe.Status s = CudaProbe.status();
        return new CudaStatus(s.usable(), s.reason());
    }

    /** The CUDA devices (empty if the driver cannot be loaded). */
    public static List<DeviceInfo> devices() {
        return CudaProbe.status().devices();
    }

    /** Opens a backend by name (auto|cpu|cuda). */
    public static Selection open(String choice) {
        return open(Choice.parse(choice));
    }

    /** Opens a backend; {@code cuda} throws BackendUnavailableException when CUDA cannot be used. */
    public static Selection open(Choice choice) {
        switch (choice) {
            case CPU:
                return new Selection(new CpuBackend(), "cpu requested");
            case CUDA: {
                return new Selection(openCuda(), "cuda requested");
            }
            case AUTO:
            default: {
                try {
                    Backend b = openCuda();
                    return new Selection(b, "cuda: " + b.description());
                } catch (BackendUnavailableException e) {
                    return new Selection(new CpuBackend(), "cpu, because CUDA is not usable: " + e.reason());
                }
            }
        }
    }

    private static Backend openCuda() {
        CudaStatus st = cudaStatus();
        if (!st.usable()) {
            throw new BackendUnavailableException("cuda", st.reason());
        }
        try {
            return new CudaBackend(0);
        } catch (CudaException | LinkageError e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new BackendUnavailableException("cuda", msg);
        }
    }
}
