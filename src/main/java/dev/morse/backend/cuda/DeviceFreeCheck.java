package dev.morse.backend.cuda;

import dev.morse.backend.cuda.CudaLibraries.Resolution;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import jcuda.CudaException;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasStatus;
import jcuda.jcusolver.JCusolverDn;
import jcuda.jcusolver.cusolverDnHandle;
import jcuda.jcusolver.cusolverStatus;

/**
 * Everything of the CUDA backend below the driver, checked on a machine without a GPU
 * ({@code morse selftest --backend cuda --no-device}): the runtime libraries loaded, every
 * kernel module compiled by the loaded NVRTC for each of {@link #ARCHS} (a cubin whose ELF
 * header names that architecture), the prebuilt fatbins' contents against their manifest,
 * the cuBLAS and cuSOLVER natives linked and their handle creation answering exactly
 * "not initialized" (no driver) or succeeding (a driver is present). More rows (the memory
 * estimates, which need the engine) come from the caller.
 */
public final class DeviceFreeCheck {
    /** Volta, Ampere (A100, A10/RTX 30xx), Ada (L4/RTX 40xx), Hopper (H100). */
    public static final List<Integer> ARCHS = List.of(70, 80, 86, 89, 90);

    /** One check: what, pass or not, and the measured fact (or the reason it failed). */
    public record Row(String check, boolean pass, String detail) {
    }

    /** All rows; passed() only if every row passed. */
    public record Report(List<Row> rows) {
        public boolean passed() {
            return rows.stream().allMatch(Row::pass);
        }

        /** check, pass/FAIL, detail; then the count. */
        public String table() {
            int w = rows.stream().mapToInt(r -> r.check().length()).max().orElse(5);
            StringBuilder s = new StringBuilder();
            for (Row r : rows) {
                s.append(String.format(Locale.ROOT, "%-" + w + "s  %-4s  %s%n", r.check(), r.pass() ? "pass" : "FAIL", r.detail()));
            }
            long failed = rows.stream().filter(r -> !r.pass()).count();
            s.append(failed == 0 ? "all " + rows.size() + " checks passed" : failed + " of " + rows.size() + " checks FAILED")
                    .append('\n');
            return s.toString();
        }
    }

    private DeviceFreeCheck() {
    }

    /** The rows of this class, in order: libraries, NVRTC and every compile, fatbins, cuBLAS, cuSOLVER. */
    public static List<Row> run() {
        List<Row> rows = new ArrayList<>();
        CudaLibraries.Status libs = CudaLibraries.load();
        boolean driver = CudaProbe.status().driverVersion() > 0;
        List<Row> nvrtc = nvrtcRows(); // first: libnvrtc-builtins is mapped once NVRTC has compiled
        for (Resolution r : libs.resolutions()) {
            rows.add(libraryRow(r, libs));
        }
        rows.addAll(nvrtc);
        rows.addAll(fatbinRows());
        rows.add(handleRow("cuBLAS cublasCreate", driver, () -> {
            cublasHandle h = new cublasHandle();
            int s = JCublas2.cublasCreate(h);
            if (s == cublasStatus.CUBLAS_STATUS_SUCCESS) {
                JCublas2.cublasDestroy(h);
            }
            return cublasStatus.stringFor(s);
        }, "CUBLAS_STATUS_NOT_INITIALIZED", "CUBLAS_STATUS_SUCCESS"));
        rows.add(handleRow("cuSOLVER cusolverDnCreate", driver, () -> {
            cusolverDnHandle h = new cusolverDnHandle();
            int s = JCusolverDn.cusolverDnCreate(h);
            if (s == cusolverStatus.CUSOLVER_STATUS_SUCCESS) {
                JCusolverDn.cusolverDnDestroy(h);
            }
            return cusolverStatus.stringFor(s);
        }, "CUSOLVER_STATUS_NOT_INITIALIZED", "CUSOLVER_STATUS_SUCCESS"));
        return rows;
    }

    private static Row libraryRow(Resolution r, CudaLibraries.Status libs) {
        String soname = r.library().soname();
        Path mapped = CudaLibraries.mappedFile(soname);
        String err = libs.loadErrors().get(soname);
        String src = r.source().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (mapped != null) {
            return new Row("library " + soname, true, src + ", mapped from " + mapped);
        }
        if (CudaStack.leftToTheSystem(r)) {
            return new Row("library " + soname, true, src + ": " + r.where());
        }
        return new Row("library " + soname, false, src + ": " + (err != null ? err : r.where())
                + (r.source() == CudaLibraries.Source.MISSING ? " (run ./morse gpu-setup)" : ""));
    }

    private static List<Row> nvrtcRows() {
        List<Row> rows = new ArrayList<>();
        int[] archs;
        try {
            String v = KernelLoader.nvrtcVersion();
            archs = KernelLoader.nvrtcSupportedArchs();
            Set<Integer> have = new TreeSet<>();
            Arrays.stream(archs).forEach(have::add);
            List<Integer> lacking = ARCHS.stream().filter(a -> !have.contains(a)).toList();
            rows.add(new Row("NVRTC", lacking.isEmpty(), "NVRTC " + v + ", architectures " + CudaStack.archList(archs)
                    + (lacking.isEmpty() ? "" : "; lacks " + lacking.stream().map(a -> "sm_" + a).toList())));
        } catch (LinkageError | CudaException | IllegalStateException e) {
            rows.add(new Row("NVRTC", false, "libJNvrtc not linked: " + CudaProbe.reason(e)));
            return rows;
        }
        for (KernelModule mod : KernelModule.values()) {
            for (int arch : ARCHS) {
                String what = "NVRTC " + mod.sourceName() + " sm_" + arch;
                long t0 = System.nanoTime();
                try {
                    byte[] cubin = KernelLoader.compile(mod, KernelLoader.options(new KernelLoader.Target(true, arch)), true);
                    int got = KernelImages.cubinArch(cubin);
                    double s = (System.nanoTime() - t0) / 1e9;
                    rows.add(new Row(what, got == arch, String.format(Locale.ROOT, "cubin %,d bytes, ELF sm_%d, %.1f s",
                            cubin.length, got, s)));
                } catch (IllegalStateException | IllegalArgumentException | CudaException e) {
                    rows.add(new Row(what, false, CudaProbe.oneLine(e) + firstLogLines(e)));
                }
            }
        }
        return rows;
    }

    /** NVRTC's log (after the first line of the message) shortened to its first error lines. */
    private static String firstLogLines(Throwable e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        List<String> lines = m.lines().skip(1).filter(l -> l.contains("error")).limit(3).toList();
        return lines.isEmpty() ? "" : " | " + String.join(" | ", lines).trim();
    }

    static List<Row> fatbinRows() {
        Properties m = KernelSources.manifest();
        if (m == null) {
            return List.of(new Row("fatbins", true, "none packaged (built without nvcc): the NVRTC rows above are the"
                    + " path a GPU will take"));
        }
        List<Row> rows = new ArrayList<>();
        String want = KernelSources.sha256();
        boolean fresh = want.equals(m.getProperty("sources.sha256"));
        // the manifest lists modules in file-name order (native/build-kernels.sh globs kernels/*.cu)
        List<String> modules = Arrays.stream(KernelModule.values()).map(KernelModule::baseName).sorted().toList();
        boolean sameModules = modules.equals(Arrays.stream(m.getProperty("modules", "").trim().split("\\s+"))
                .sorted().toList());
        rows.add(new Row("fatbin manifest", fresh && sameModules, "nvcc " + m.getProperty("nvcc") + "; sources.sha256 "
                + (fresh ? "matches the packaged sources" : "is " + m.getProperty("sources.sha256") + ", sources are " + want)
                + "; modules " + m.getProperty("modules")));
        List<String> expected = new ArrayList<>();
        for (String a : m.getProperty("archs", "").trim().split("\\s+")) {
            expected.add(a);
        }
        expected.add(m.getProperty("ptx", ""));
        expected.sort(null);
        for (KernelModule mod : KernelModule.values()) {
            byte[] image = KernelSources.fatbin(mod);
            String what = "fatbin " + mod.fatbinName();
            if (image == null) {
                rows.add(new Row(what, false, "missing beside its manifest"));
                continue;
            }
            try {
                List<String> got = KernelImages.fatbinEntries(image).stream().map(KernelImages.Entry::toString).sorted().toList();
                rows.add(new Row(what, got.equals(expected), String.format(Locale.ROOT, "%,d bytes: %s%s", image.length,
                        String.join(" ", got), got.equals(expected) ? "" : "; manifest says " + String.join(" ", expected))));
            } catch (IllegalArgumentException e) {
                rows.add(new Row(what, false, e.getMessage()));
            }
        }
        return rows;
    }

    /** Creating a handle must give NOT_INITIALIZED without a driver, SUCCESS with one. */
    static Row handleRow(String what, boolean driver, java.util.function.Supplier<String> create, String noDriver,
                         String withDriver) {
        String expected = driver ? withDriver : noDriver;
        String got;
        try {
            got = create.get();
        } catch (CudaException e) {
            got = CudaProbe.oneLine(e); // exceptions enabled: the message is the status name
        } catch (LinkageError e) {
            return new Row(what, false, "natives not linked: " + CudaProbe.reason(e));
        }
        return new Row(what, got.equals(expected), got + (got.equals(expected)
                ? (driver ? " (a driver is present)" : " (natives linked; no driver)") : ", expected " + expected));
    }
}
