package dev.morse.backend.cuda;

import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import jcuda.CudaException;
import jcuda.driver.CUmodule;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;
import jcuda.nvrtc.nvrtcResult;

/**
 * How morse's kernels reach the device (docs/GPU.md, "How kernels reach the device"):
 * <ol>
 *   <li><b>fatbin</b>: the modules prebuilt by native/build-kernels.sh (SASS for sm_80 and
 *       sm_90, compute_80 PTX) from the class path, if their manifest's source hash matches
 *       the packaged sources. Instant, but CUDA 13's nvcc made them: the driver must be
 *       &ge; 580 (CUDA 13) to accept them.</li>
 *   <li><b>NVRTC</b>: otherwise the packaged sources are compiled at run time by the user's
 *       own libnvrtc (CUDA 11.x, the runtime JCuda 11.7 uses) for the device's exact
 *       architecture (a cubin) or, if that NVRTC does not know it, for the newest virtual
 *       architecture it knows (PTX that the driver JIT-compiles). Results are cached on disk
 *       keyed by source, options and NVRTC version.</li>
 * </ol>
 * {@code -Dmorse.cuda.kernels=auto|fatbin|nvrtc} forces a path (auto: fatbin, then NVRTC).
 */
final class KernelLoader {
    /** System property selecting the path. */
    static final String MODE_PROPERTY = "morse.cuda.kernels";
    /** System property overriding the NVRTC cache directory. */
    static final String CACHE_PROPERTY = "morse.cuda.cache";

    record Loaded(Map<KernelModule, CUmodule> modules, String description) {
    }

    private KernelLoader() {
    }

    /** Loads every module into the current context, or throws CudaException with each path's reason. */
    static Loaded load(int ccMajor, int ccMinor) {
        String mode = System.getProperty(MODE_PROPERTY, "auto");
        if (!List.of("auto", "fatbin", "nvrtc").contains(mode)) {
            throw new IllegalArgumentException(MODE_PROPERTY + " must be auto, fatbin or nvrtc, not " + mode);
        }
        List<String> reasons = new ArrayList<>();
        if (!mode.equals("nvrtc")) {
            try {
                return loadFatbins();
            } catch (CudaException | IllegalStateException e) {
                reasons.add("prebuilt fatbin: " + e.getMessage());
            }
        }
        if (!mode.equals("fatbin")) {
            try {
                return loadNvrtc(ccMajor, ccMinor);
            } catch (CudaException | IllegalStateException | LinkageError e) {
                reasons.add("NVRTC: " + CudaProbe.oneLine(e));
            }
        }
        throw new CudaException("cannot load morse's CUDA kernels (" + String.join("; ", reasons) + ")");
    }

    // ---------------------------------------------------------------- fatbin

    private static Loaded loadFatbins() {
        Properties m = KernelSources.manifest();
        if (m == null) {
            throw new IllegalStateException("not built (no nvcc at build time)");
        }
        if (!KernelSources.sha256().equals(m.getProperty("sources.sha256"))) {
            throw new IllegalStateException("stale (built from other sources)");
        }
        Map<KernelModule, byte[]> images = new EnumMap<>(KernelModule.class);
        for (KernelModule mod : KernelModule.values()) {
            byte[] image = KernelSources.fatbin(mod);
            if (image == null) {
                throw new IllegalStateException(mod.fatbinName() + " missing");
            }
            images.put(mod, image);
        }
        Map<KernelModule, CUmodule> loaded = loadAll(images, null);
        return new Loaded(loaded, "kernels: prebuilt fatbin (nvcc " + m.getProperty("nvcc") + ", "
                + m.getProperty("archs") + " + " + m.getProperty("ptx") + " PTX)");
    }

    /** Loads images (cubin / fatbin bytes, or PTX text) into modules; unloads all on failure. */
    private static Map<KernelModule, CUmodule> loadAll(Map<KernelModule, byte[]> images,
                                                       Map<KernelModule, String> ptx) {
        Map<KernelModule, CUmodule> loaded = new EnumMap<>(KernelModule.class);
        try {
            for (KernelModule mod : KernelModule.values()) {
                CUmodule module = new CUmodule();
                if (ptx != null && ptx.containsKey(mod)) {
                    cuModuleLoadData(module, ptx.get(mod));
                } else {
                    cuModuleLoadData(module, images.get(mod));
                }
                loaded.put(mod, module);
            }
            return loaded;
        } catch (RuntimeException e) {
            for (CUmodule module : loaded.values()) {
                try {
                    cuModuleUnload(module);
                } catch (RuntimeException ignored) {
                    // the original failure is the one to report
                }
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- NVRTC

    /** What NVRTC should generate for a device: a cubin for sm_XY, or PTX for compute_XY. */
    record Target(boolean cubin, int arch) {
        String option() {
            return "--gpu-architecture=" + (cubin ? "sm_" : "compute_") + arch;
        }

        String extension() {
            return cubin ? ".cubin" : ".ptx";
        }
    }

    /**
     * The device's own architecture if NVRTC supports it (a cubin: no JIT), else the newest
     * supported architecture below it (PTX, forward compatible). Throws if NVRTC knows only
     * newer architectures than the device.
     */
    static Target chooseTarget(int ccMajor, int ccMinor, int[] supported) {
        int device = ccMajor * 10 + ccMinor;
        int best = -1;
        for (int a : supported) {
            if (a == device) {
                return new Target(true, a);
            }
            if (a < device && a > best) {
                best = a;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("this NVRTC supports no architecture <= sm_" + device);
        }
        return new Target(false, best);
    }

    /** NVRTC options for a target; fixed so that the cache key captures them. */
    static List<String> options(Target t) {
        return List.of(t.option(), "--std=c++14", "-DMORSE_NVRTC=1");
    }

    /** Cache file key: SHA-256 over module name, every source, options and NVRTC version. */
    static String cacheKey(KernelModule mod, List<String> options, String nvrtcVersion) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((mod.baseName() + "\n" + String.join(" ", options) + "\n" + nvrtcVersion + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            for (String f : KernelSources.files()) {
                md.update((f + "\n").getBytes(StandardCharsets.UTF_8));
                md.update(KernelSources.source(f).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The cache directory: -Dmorse.cuda.cache, else $MORSE_CACHE/cuda-kernels (the root of
     * all morse caches, docs/data.md), else $XDG_CACHE_HOME/morse/cuda-kernels, else
     * ~/.cache/morse/cuda-kernels.
     */
    static Path cacheDir(String property, String morseCache, String xdgCacheHome, String userHome) {
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        if (morseCache != null && !morseCache.isBlank()) {
            return Path.of(morseCache, "cuda-kernels");
        }
        if (xdgCacheHome != null && !xdgCacheHome.isBlank()) {
            return Path.of(xdgCacheHome, "morse", "cuda-kernels");
        }
        return Path.of(userHome, ".cache", "morse", "cuda-kernels");
    }

    /** The loaded NVRTC's version, "11.8" (loads libJNvrtc and with it libnvrtc.so.11.2). */
    static String nvrtcVersion() {
        int[] major = new int[1];
        int[] minor = new int[1];
        check(JNvrtc.nvrtcVersion(major, minor), "nvrtcVersion");
        return major[0] + "." + minor[0];
    }

    /** The SM versions the loaded NVRTC can compile for (nvrtcGetSupportedArchs: 35 ... 90 for 11.8). */
    static int[] nvrtcSupportedArchs() {
        int[] count = new int[1];
        check(JNvrtc.nvrtcGetNumSupportedArchs(count), "nvrtcGetNumSupportedArchs");
        int[] archs = new int[count[0]];
        check(JNvrtc.nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs");
        return archs;
    }

    private static Loaded loadNvrtc(int ccMajor, int ccMinor) {
        String version = nvrtcVersion();
        Target target = chooseTarget(ccMajor, ccMinor, nvrtcSupportedArchs());
        List<String> opts = options(target);
        Path dir = cacheDir(System.getProperty(CACHE_PROPERTY), System.getenv("MORSE_CACHE"),
                System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home"));

        Map<KernelModule, byte[]> cubins = new EnumMap<>(KernelModule.class);
        Map<KernelModule, String> ptx = new EnumMap<>(KernelModule.class);
        int fromCache = 0;
        for (KernelModule mod : KernelModule.values()) {
            Path file = dir.resolve(mod.baseName() + "-" + cacheKey(mod, opts, version) + target.extension());
            byte[] image = readCache(file);
            if (image != null) {
                fromCache++;
            } else {
                image = compile(mod, opts, target.cubin());
                writeCache(file, image);
            }
            if (target.cubin()) {
                cubins.put(mod, image);
            } else {
                ptx.put(mod, new String(image, StandardCharsets.UTF_8));
            }
        }
        Map<KernelModule, CUmodule> loaded = loadAll(cubins, ptx);
        return new Loaded(loaded, "kernels: NVRTC " + version + " " + target.option().substring(2)
                + (fromCache == KernelModule.values().length ? " (cached in " + dir + ")" : " (compiled, cached in " + dir + ")"));
    }

    /** Compiles one module with NVRTC: a cubin, or PTX text as bytes; IllegalStateException with NVRTC's log on failure. */
    static byte[] compile(KernelModule mod, List<String> opts, boolean cubin) {
        String src = KernelSources.source(mod.sourceName());
        String[] headerNames = KernelSources.HEADERS.toArray(new String[0]);
        String[] headers = new String[headerNames.length];
        for (int i = 0; i < headers.length; i++) {
            headers[i] = KernelSources.source(headerNames[i]);
        }
        nvrtcProgram prog = new nvrtcProgram();
        check(JNvrtc.nvrtcCreateProgram(prog, src, mod.sourceName(), headers.length, headers, headerNames),
                "nvrtcCreateProgram");
        try {
            int r = JNvrtc.nvrtcCompileProgram(prog, opts.size(), opts.toArray(new String[0]));
            if (r != nvrtcResult.NVRTC_SUCCESS) {
                String[] log = new String[1];
                JNvrtc.nvrtcGetProgramLog(prog, log);
                throw new IllegalStateException("compiling " + mod.sourceName() + " failed: "
                        + nvrtcResult.stringFor(r) + ": " + (log[0] == null ? "" : log[0].trim()));
            }
            if (cubin) {
                long[] size = new long[1];
                check(JNvrtc.nvrtcGetCUBINSize(prog, size), "nvrtcGetCUBINSize");
                byte[] image = new byte[Math.toIntExact(size[0])];
                check(JNvrtc.nvrtcGetCUBIN(prog, image), "nvrtcGetCUBIN");
                return image;
            }
            String[] text = new String[1];
            check(JNvrtc.nvrtcGetPTX(prog, text), "nvrtcGetPTX");
            return text[0].getBytes(StandardCharsets.UTF_8);
        } finally {
            JNvrtc.nvrtcDestroyProgram(prog);
        }
    }

    private static void check(int result, String what) {
        if (result != nvrtcResult.NVRTC_SUCCESS) {
            throw new IllegalStateException(what + ": " + nvrtcResult.stringFor(result));
        }
    }

    private static byte[] readCache(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
        } catch (IOException e) {
            return null; // an unreadable cache entry is recompiled
        }
    }

    /** Atomic write (temp file + move) so that concurrent runs never read half a file; best effort. */
    private static void writeCache(Path file, byte[] image) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, image);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            // no cache: the next run compiles again
        }
    }
}
