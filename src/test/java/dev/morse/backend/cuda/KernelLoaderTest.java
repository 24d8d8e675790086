package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The NVRTC path's host-side decisions: target architecture, cache key and directory, sources. */
class KernelLoaderTest {
    /** Illustrative nvrtcGetSupportedArchs lists: one without sm_90 (NVRTC before 11.8), one with it. */
    static final int[] NVRTC_117 = {35, 37, 50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87};
    static final int[] NVRTC_118 = {35, 37, 50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90};

    @Test
    void exactArchitectureGivesACubinOtherwiseNewestOlderPtx() {
        assertEquals(new KernelLoader.Target(true, 80), KernelLoader.chooseTarget(8, 0, NVRTC_117));
        assertEquals(new KernelLoader.Target(true, 86), KernelLoader.chooseTarget(8, 6, NVRTC_117));
        // H100 with NVRTC 11.7: PTX for compute_87, JIT-compiled by the driver
        assertEquals(new KernelLoader.Target(false, 87), KernelLoader.chooseTarget(9, 0, NVRTC_117));
        assertEquals(new KernelLoader.Target(true, 90), KernelLoader.chooseTarget(9, 0, NVRTC_118));
        assertEquals("--gpu-architecture=compute_87", KernelLoader.chooseTarget(9, 0, NVRTC_117).option());
        assertEquals(".cubin", KernelLoader.chooseTarget(7, 0, NVRTC_117).extension());
        assertThrows(IllegalStateException.class, () -> KernelLoader.chooseTarget(3, 0, NVRTC_117));
    }

    @Test
    void cacheKeyChangesWithEveryInput() {
        List<String> o80 = KernelLoader.options(new KernelLoader.Target(true, 80));
        List<String> o86 = KernelLoader.options(new KernelLoader.Target(true, 86));
        String k = KernelLoader.cacheKey(KernelModule.REDUCE, o80, "11.7");
        assertEquals(k, KernelLoader.cacheKey(KernelModule.REDUCE, o80, "11.7"), "deterministic");
        assertNotEquals(k, KernelLoader.cacheKey(KernelModule.SOFTMAX, o80, "11.7"));
        assertNotEquals(k, KernelLoader.cacheKey(KernelModule.REDUCE, o86, "11.7"));
        assertNotEquals(k, KernelLoader.cacheKey(KernelModule.REDUCE, o80, "11.8"));
        assertEquals(24, k.length());
    }

    @Test
    void cacheDirectoryPrecedence() {
        assertEquals(Path.of("/x/k"), KernelLoader.cacheDir("/x/k", "/m", "/c", "/h"));
        assertEquals(Path.of("/m", "cuda-kernels"), KernelLoader.cacheDir(null, "/m", "/c", "/h"));
        assertEquals(Path.of("/c", "morse", "cuda-kernels"), KernelLoader.cacheDir(null, "", "/c", "/h"));
        assertEquals(Path.of("/h", ".cache", "morse", "cuda-kernels"), KernelLoader.cacheDir(" ", null, "", "/h"));
    }

    @Test
    void sourcesIncludeOnlyTheirOwnHeaders() {
        // NVRTC has no system headers: every #include must be one of ours (passed by name)
        Pattern inc = Pattern.compile("#include\\s+[\"<]([^\">]+)[\">]");
        for (String f : KernelSources.files()) {
            Matcher m = inc.matcher(KernelSources.source(f));
            while (m.find()) {
                assertTrue(KernelSources.HEADERS.contains(m.group(1)), f + " includes " + m.group(1));
            }
        }
    }
}
