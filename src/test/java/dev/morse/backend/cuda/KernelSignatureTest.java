package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.UnaryFn;
import dev.morse.backend.cuda.KernelArgs.Type;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java side's knowledge of the kernels agrees with the CUDA sources: every kernel's
 * parameter list, the block-size constants, the UnaryFn codes, the list of source files,
 * and (when native/build-kernels.sh ran) the fatbin manifest's source hash.
 */
class KernelSignatureTest {
    private static final Pattern KERNEL = Pattern.compile("MORSE_KERNEL\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern DEFINE = Pattern.compile("#define\\s+(MORSE_\\w+)\\s+(\\d+)\\s*$", Pattern.MULTILINE);

    static Type cType(String param) {
        String p = param.replace("MORSE_RESTRICT", "").replace("const", "").replaceAll("\\s+", " ").trim();
        // drop the parameter name
        String t = p.substring(0, p.length() - p.replaceAll("^.*?(\\w+)$", "$1").length()).trim();
        switch (t.replace(" *", "*")) {
            case "int": return Type.I32;
            case "long long": return Type.I64;
            case "double": return Type.F64;
            case "double*": return Type.PTR_F64;
            case "int*": return Type.PTR_I32;
            default: throw new AssertionError("unsupported kernel parameter type '" + t + "' in '" + param + "'");
        }
    }

    static Map<String, List<Type>> parse(String src) {
        Map<String, List<Type>> m = new LinkedHashMap<>();
        Matcher k = KERNEL.matcher(src);
        while (k.find()) {
            List<Type> ps = new ArrayList<>();
            for (String p : k.group(2).split(",")) {
                ps.add(cType(p));
            }
            m.put(k.group(1), ps);
        }
        return m;
    }

    @Test
    void everyKernelSignatureMatchesItsSource() {
        for (KernelModule mod : KernelModule.values()) {
            Map<String, List<Type>> declared = parse(KernelSources.source(mod.sourceName()));
            List<Kernel> ours = Stream.of(Kernel.values()).filter(k -> k.module() == mod).toList();
            assertEquals(declared.keySet(), ours.stream().map(Kernel::symbol).collect(Collectors.toSet()),
                    "kernels of " + mod.sourceName());
            for (Kernel k : ours) {
                assertEquals(declared.get(k.symbol()), k.params(), "signature of " + k.symbol());
            }
        }
    }

    @Test
    void parserReadsQualifiedPointers() {
        assertEquals(Type.PTR_F64, cType("const double* MORSE_RESTRICT x"));
        assertEquals(Type.PTR_F64, cType("double *y"));
        assertEquals(Type.PTR_I32, cType(" const int* labels"));
        assertEquals(Type.I64, cType("long long n"));
    }

    static Map<String, Integer> defines(String src) {
        Map<String, Integer> m = new LinkedHashMap<>();
        Matcher d = DEFINE.matcher(src);
        while (d.find()) {
            m.put(d.group(1), Integer.parseInt(d.group(2)));
        }
        return m;
    }

    @Test
    void blockConstantsAndFunctionCodesAgree() {
        Map<String, Integer> common = defines(KernelSources.source("morse_common.cuh"));
        assertEquals(LaunchConfig.REDUCE_THREADS, common.get("MORSE_REDUCE_THREADS"));
        assertEquals(LaunchConfig.COLSUM_TX, common.get("MORSE_COLSUM_TX"));
        assertEquals(LaunchConfig.COLSUM_TY, common.get("MORSE_COLSUM_TY"));
        assertEquals(0, LaunchConfig.REDUCE_THREADS & (LaunchConfig.REDUCE_THREADS - 1), "power of two");
        assertEquals(0, LaunchConfig.COLSUM_TY & (LaunchConfig.COLSUM_TY - 1), "power of two");
        Map<String, Integer> math = defines(KernelSources.source("morse_math.cuh"));
        for (UnaryFn f : UnaryFn.values()) {
            assertEquals(f.code(), math.get("MORSE_" + f.name()), "code of " + f);
        }
    }

    @Test
    void sourceListIsTheKernelsDirectory() throws IOException {
        Path dir = Path.of("kernels");
        assertTrue(Files.isDirectory(dir), "run from the project root");
        try (Stream<Path> s = Files.list(dir)) {
            TreeSet<String> onDisk = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".cu") || n.endsWith(".cuh")).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(onDisk, new TreeSet<>(KernelSources.files()));
        }
        assertEquals(64, KernelSources.sha256().length());
    }

    @Test
    void fatbinManifestMatchesTheSourcesWhenBuilt() {
        Properties m = KernelSources.manifest();
        if (m == null) {
            return; // built without nvcc: nothing to compare (the NVRTC path is used at run time)
        }
        assertEquals(KernelSources.sha256(), m.getProperty("sources.sha256"),
                "fatbins are stale: rerun native/build-kernels.sh");
        for (KernelModule mod : KernelModule.values()) {
            assertTrue(KernelSources.fatbin(mod) != null, "missing " + mod.fatbinName());
        }
    }
}
