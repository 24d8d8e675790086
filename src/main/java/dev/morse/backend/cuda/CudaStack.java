package dev.morse.backend.cuda;

import dev.morse.backend.cuda.CudaLibraries.Resolution;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Collectors;
import jcuda.CudaException;
import jcuda.jcublas.JCublas2;
import jcuda.jcusolver.JCusolver;
import jcuda.libraryPropertyType;

/**
 * The CUDA stack of this machine, layer by layer, for {@code morse info}: the runtime
 * libraries (where each comes from, and the file the process really mapped), NVRTC (version
 * and architectures, from the library itself), the cuBLAS and cuSOLVER bindings (linked,
 * with the version the library reports), morse's prebuilt kernels, the driver, the devices.
 * Every line is the result of a call or a file check made here, not an assumption.
 */
public final class CudaStack {
    /** ok: checked and present; MISSING: checked and absent (the reason says why); n/a: needs a missing layer below. */
    public enum State {
        OK("ok"), MISSING("MISSING"), NOT_APPLICABLE("n/a");

        private final String label;

        State(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One layer: its name, state, the fact in one line, and detail lines (one per library or device). */
    public record Layer(String name, State state, String fact, List<String> details) {
    }

    private CudaStack() {
    }

    /** Checks every layer (loads the libraries and JCuda's natives if not done yet). */
    public static List<Layer> inspect() {
        CudaLibraries.Status libs = CudaLibraries.load();
        Layer cublas = binding("cuBLAS", "libJCublas2", "libcublas.so.11", () -> version(true));
        Layer cusolver = binding("cuSOLVER", "libJCusolver", "libcusolver.so.11", () -> version(false));
        Layer nvrtc = nvrtc();
        List<Layer> out = new ArrayList<>();
        out.add(runtimeLibraries(libs)); // after the bindings: the mapped files are known now
        out.add(nvrtc);
        out.add(cublas);
        out.add(cusolver);
        out.add(kernels());
        CudaProbe.Status st = CudaProbe.status();
        boolean driver = st.driverVersion() > 0;
        out.add(driver
                ? new Layer("driver", State.OK, "libcuda.so.1 loaded, cuInit ok, supports CUDA "
                        + CudaProbe.driverString(st.driverVersion()), List.of())
                : new Layer("driver", State.MISSING, st.reason(), List.of()));
        if (!driver) {
            out.add(new Layer("devices", State.NOT_APPLICABLE, "not counted: needs the driver", List.of()));
        } else if (st.devices().isEmpty()) {
            out.add(new Layer("devices", State.MISSING, "the driver reports no CUDA device", List.of()));
        } else {
            List<String> d = st.devices().stream().map(i -> String.format(Locale.ROOT,
                    "device %d: %s, compute capability %s, %.1f GiB, %d SMs", i.ordinal(), i.name(),
                    i.computeCapability(), i.totalBytes() / (double) (1L << 30), i.multiprocessors())).toList();
            out.add(new Layer("devices", State.OK, d.size() + " device(s)", d));
        }
        return out;
    }

    /** The layers as text: a heading, one line per layer (name, state, fact), details indented. */
    public static String format(List<Layer> layers) {
        int w = layers.stream().mapToInt(l -> l.name().length()).max().orElse(8);
        StringBuilder s = new StringBuilder("cuda stack, layer by layer:\n");
        for (Layer l : layers) {
            s.append(String.format(Locale.ROOT, "  %-" + w + "s  %-7s  %s%n", l.name(), l.state().label(), l.fact()));
            for (String d : l.details()) {
                s.append(" ".repeat(w + 13)).append(d).append('\n');
            }
        }
        return s.toString();
    }

    /** The names of the layers that are missing (the driver, on a machine without one). */
    public static List<String> missing(List<Layer> layers) {
        return layers.stream().filter(l -> l.state() == State.MISSING).map(Layer::name).toList();
    }

    // ---------------------------------------------------------------- layers

    static Layer runtimeLibraries(CudaLibraries.Status st) {
        List<String> details = new ArrayList<>();
        boolean allMapped = true;
        for (Resolution r : st.resolutions()) {
            String soname = r.library().soname();
            Path mapped = CudaLibraries.mappedFile(soname);
            String err = st.loadErrors().get(soname);
            String line = String.format(Locale.ROOT, "%-26s %-12s %s", soname, r.source().name().toLowerCase(Locale.ROOT)
                    .replace('_', ' '), mapped != null ? "mapped from " + mapped
                    : err != null ? "load failed: " + err : "not mapped (" + r.where() + ")");
            details.add(line);
            allMapped &= mapped != null || leftToTheSystem(r);
        }
        long fromCache = st.resolutions().stream().filter(r -> r.source() == CudaLibraries.Source.MORSE_CACHE).count();
        long fromSystem = st.resolutions().stream().filter(r -> r.source() == CudaLibraries.Source.SYSTEM).count();
        String where = fromCache == st.resolutions().size()
                ? "CUDA " + CudaRedist.VERSION.substring(0, CudaRedist.VERSION.indexOf('-')) + " from " + CudaRedist.COORDINATES
                        + " in the morse cache " + st.cacheDir() + " (sizes checked)"
                : fromCache + " from the morse cache " + st.cacheDir() + ", " + fromSystem + " from the system"
                        + (fromCache + fromSystem == st.resolutions().size() ? "" : "; " + cacheProblem(st));
        return new Layer("runtime libraries", allMapped ? State.OK : State.MISSING,
                (allMapped ? "all " + st.resolutions().size() + " loaded: " : "not all loaded: ") + where, details);
    }

    /** What is wrong with the morse cache, in one clause. */
    static String cacheProblem(CudaLibraries.Status st) {
        boolean empty = st.cacheProblems().size() == st.resolutions().size()
                && st.cacheProblems().stream().allMatch(p -> p.endsWith(" missing"));
        return (empty ? "the morse cache holds none of them" : "morse cache: " + String.join(", ", st.cacheProblems()))
                + " (run ./morse gpu-setup)";
    }

    /** A member of a family the system provides that the system's own root loads (a system NVRTC's own builtins). */
    static boolean leftToTheSystem(Resolution r) {
        return r.source() == CudaLibraries.Source.SYSTEM && r.path() == null;
    }

    private static Layer binding(String name, String jni, String soname, java.util.function.Supplier<String> version) {
        try {
            String v = version.get();
            Path mapped = CudaLibraries.mappedFile(soname);
            return new Layer(name, State.OK, jni + " linked to " + soname + " " + v
                    + (mapped != null ? " (" + mapped + ")" : ""), List.of());
        } catch (LinkageError | CudaException e) {
            return new Layer(name, State.MISSING, jni + " not linked: " + CudaProbe.reason(e), List.of());
        }
    }

    /** "11.11.3" from cublasGetProperty / cusolverGetProperty (needs the library, not the driver). */
    static String version(boolean cublas) {
        int[] v = new int[3];
        int[] one = new int[1];
        int[] types = {libraryPropertyType.MAJOR_VERSION, libraryPropertyType.MINOR_VERSION, libraryPropertyType.PATCH_LEVEL};
        for (int i = 0; i < 3; i++) {
            int r = cublas ? JCublas2.cublasGetProperty(types[i], one) : JCusolver.cusolverGetProperty(types[i], one);
            if (r != 0) {
                throw new CudaException((cublas ? "cublasGetProperty" : "cusolverGetProperty") + " returned " + r);
            }
            v[i] = one[0];
        }
        return v[0] + "." + v[1] + "." + v[2];
    }

    private static Layer nvrtc() {
        try {
            String v = KernelLoader.nvrtcVersion();
            int[] archs = KernelLoader.nvrtcSupportedArchs();
            return new Layer("NVRTC", State.OK, "NVRTC " + v + " (" + CudaLibraries.mappedFile("libnvrtc.so")
                    + "), architectures " + archList(archs), List.of());
        } catch (LinkageError | CudaException | IllegalStateException e) {
            return new Layer("NVRTC", State.MISSING, "libJNvrtc not linked: " + CudaProbe.reason(e), List.of());
        }
    }

    static String archList(int[] archs) {
        return Arrays.stream(archs).mapToObj(a -> "sm_" + a).collect(Collectors.joining(" "));
    }

    private static Layer kernels() {
        Properties m = KernelSources.manifest();
        if (m == null) {
            return new Layer("kernels", State.OK, "no prebuilt fatbins (built without nvcc): NVRTC compiles the "
                    + KernelModule.values().length + " modules on first use", List.of());
        }
        boolean fresh = KernelSources.sha256().equals(m.getProperty("sources.sha256"));
        return new Layer("kernels", fresh ? State.OK : State.MISSING, "prebuilt fatbins (nvcc " + m.getProperty("nvcc")
                + ", " + m.getProperty("archs") + " + " + m.getProperty("ptx") + " PTX), "
                + (fresh ? "built from the packaged sources" : "STALE: built from other sources"), List.of());
    }
}
