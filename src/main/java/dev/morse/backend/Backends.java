package dev.morse.backend;

import dev.morse.backend.cpu.CpuBackend;
import dev.morse.backend.cuda.CudaBackend;
import dev.morse.backend.cuda.CudaProbe;
import dev.morse.backend.cuda.DeviceInfo;
import java.util.List;
import java.util.Locale;
import jcuda.CudaException;

/**
 * Backend selection, the one place that decides it: {@code auto} (CUDA when a device, the
 * driver, the CUDA 11.x libraries and morse's kernels all load, else the CPU, with the reason
 * in one line), {@code cpu}, {@code cuda} (throws {@link BackendUnavailableException} with the
 * reason when not usable). The CLI's {@code --backend} and a spec's {@code backend:} go through
 * {@link #open(Choice)} (one backend) or {@link #resolve(Choice)} (a batch's workers).
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

    /** What a choice means here, {@link Choice#CPU} or {@link Choice#CUDA}, and why (one line). */
    public record Resolution(Choice backend, String reason) {
        /** Opens one backend of the resolved kind (a batch's workers each call this). */
        public Backend open() {
            return Backends.open(backend).backend();
        }
    }

    /**
     * Resolves a choice for backends opened later (a batch's workers): auto opens CUDA once to
     * see that its context and kernels load, and otherwise falls back to the CPU saying why;
     * cuda throws {@link BackendUnavailableException} when it does not open.
     */
    public static Resolution resolve(Choice choice) {
        if (choice == Choice.CPU) {
            return new Resolution(Choice.CPU, "cpu requested");
        }
        Selection s = open(choice);
        boolean cuda = s.backend().name().equals("cuda");
        s.backend().close();
        return new Resolution(cuda ? Choice.CUDA : Choice.CPU, s.reason());
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
                    return new Selection(b, "auto → cuda (" + b.description() + ")");
                } catch (BackendUnavailableException e) {
                    return new Selection(new CpuBackend(), "auto → cpu (CUDA not usable: " + e.reason() + ")");
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
