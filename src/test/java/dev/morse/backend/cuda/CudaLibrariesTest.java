package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.cuda.CudaLibraries.Resolution;
import dev.morse.backend.cuda.CudaLibraries.Source;
import dev.morse.backend.cuda.CudaLibraries.SystemSearch;
import dev.morse.backend.cuda.CudaRedist.Family;
import dev.morse.backend.cuda.CudaRedist.Library;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which copy of each CUDA library is loaded, and in which order; no library is loaded here. */
class CudaLibrariesTest {
    static final List<Library> TABLE = CudaRedist.LIBRARIES;

    static List<String> sonames(List<Library> libs) {
        return libs.stream().map(Library::soname).toList();
    }

    static void assertNeedsComeFirst(List<Library> order) {
        List<String> names = sonames(order);
        for (Library l : order) {
            for (String need : l.needs()) {
                assertTrue(names.indexOf(need) >= 0 && names.indexOf(need) < names.indexOf(l.soname()),
                        l.soname() + " after " + need + " in " + names);
            }
        }
    }

    @Test
    void everyLibraryIsLoadedAfterWhatItNeeds() {
        assertNeedsComeFirst(CudaLibraries.loadOrder(TABLE));
        List<Library> reversed = new ArrayList<>(TABLE);
        Collections.reverse(reversed);
        List<Library> order = CudaLibraries.loadOrder(reversed);
        assertNeedsComeFirst(order);
        assertEquals(TABLE.size(), order.size());
        // the table order is already a valid order and is kept
        assertEquals(sonames(TABLE), sonames(CudaLibraries.loadOrder(TABLE)));
    }

    @Test
    void cyclesAndUnknownNeedsAreRejected() {
        Library a = new Library("liba.so", Family.CUBLAS, 1, "", List.of("libb.so"));
        Library b = new Library("libb.so", Family.CUBLAS, 1, "", List.of("liba.so"));
        assertThrows(IllegalArgumentException.class, () -> CudaLibraries.loadOrder(List.of(a, b)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaLibraries.loadOrder(List.of(a)));
        assertEquals("liba.so needs libb.so, which is not in the table", e.getMessage());
    }

    @Test
    void rootsAreWhatJCudaLinks() {
        assertEquals(List.of("libcublas.so.11"), sonames(CudaLibraries.roots(TABLE, Family.CUBLAS)));
        assertEquals(List.of("libcusolver.so.11", "libcusolverMg.so.11"), sonames(CudaLibraries.roots(TABLE, Family.CUSOLVER)));
        assertEquals(List.of("libnvrtc.so.11.2"), sonames(CudaLibraries.roots(TABLE, Family.NVRTC)));
    }

    static Path touch(Path dir, String... names) throws IOException {
        Files.createDirectories(dir);
        for (String n : names) {
            Files.writeString(dir.resolve(n), "x");
        }
        return dir;
    }

    static SystemSearch search(List<Path> ld, Path runpath, Map<String, Path> cache, List<Path> defaults) {
        return new SystemSearch(ld, runpath, cache, defaults);
    }

    @Test
    void withoutASystemInstallationEverythingComesFromTheCacheInLoadOrder(@TempDir Path tmp) {
        Path cache = tmp.resolve("cache");
        List<Resolution> plan = CudaLibraries.plan(TABLE, search(List.of(), null, Map.of(), List.of()), cache, true);
        assertEquals(sonames(CudaLibraries.loadOrder(TABLE)), plan.stream().map(r -> r.library().soname()).toList());
        for (Resolution r : plan) {
            assertEquals(Source.MORSE_CACHE, r.source());
            assertEquals(cache.resolve(r.library().soname()), r.path());
        }
        List<Resolution> none = CudaLibraries.plan(TABLE, search(List.of(), null, Map.of(), List.of()), cache, false);
        assertTrue(none.stream().allMatch(r -> r.source() == Source.MISSING && r.path() == null));
    }

    @Test
    void aUsersOwnFamilyWinsAndTheRestComesFromTheCache(@TempDir Path tmp) throws IOException {
        Path cache = tmp.resolve("cache");
        // the user's cuBLAS on LD_LIBRARY_PATH; their NVRTC 11.7 (own builtins .11.7) under /usr/local/cuda/lib64
        Path ld = touch(tmp.resolve("ld"), "libcublas.so.11", "libcublasLt.so.11");
        Path runpath = touch(tmp.resolve("cuda/lib64"), "libnvrtc.so.11.2", "libnvrtc-builtins.so.11.7", "libcublas.so.11");
        List<Resolution> plan = CudaLibraries.plan(TABLE, search(List.of(ld), runpath, Map.of(), List.of()), cache, true);
        Map<String, Resolution> by = new java.util.HashMap<>();
        plan.forEach(r -> by.put(r.library().soname(), r));
        assertEquals(new Resolution(by.get("libcublas.so.11").library(), Source.SYSTEM, ld.resolve("libcublas.so.11"),
                "LD_LIBRARY_PATH"), by.get("libcublas.so.11"), "LD_LIBRARY_PATH before JCuda's RUNPATH");
        assertEquals(Source.SYSTEM, by.get("libcublasLt.so.11").source());
        assertEquals(runpath.resolve("libnvrtc.so.11.2"), by.get("libnvrtc.so.11.2").path());
        assertEquals("JCuda's RUNPATH", by.get("libnvrtc.so.11.2").where());
        // the user's NVRTC brings its own builtins: morse's 11.8 builtins are not mixed in
        assertEquals(Source.SYSTEM, by.get("libnvrtc-builtins.so.11.8").source());
        assertNull(by.get("libnvrtc-builtins.so.11.8").path());
        // cuSOLVER is not on the system: morse's, loaded after the user's cuBLAS that it links
        assertEquals(Source.MORSE_CACHE, by.get("libcusolver.so.11").source());
        List<String> order = plan.stream().map(r -> r.library().soname()).toList();
        assertTrue(order.indexOf("libcublas.so.11") < order.indexOf("libcusolver.so.11"), order.toString());
    }

    @Test
    void aFamilyComesFromTheSystemOnlyIfAllItsRootsDo(@TempDir Path tmp) throws IOException {
        Path d = touch(tmp.resolve("lib"), "libcusolver.so.11"); // no libcusolverMg.so.11
        Path cached = touch(tmp.resolve("cached"), "libcusolverMg.so.11");
        List<Resolution> plan = CudaLibraries.plan(TABLE, search(List.of(), null,
                Map.of("libcusolverMg.so.11", cached.resolve("libcusolverMg.so.11")), List.of(d)), tmp.resolve("c"), true);
        for (Resolution r : plan) {
            if (r.library().family() == Family.CUSOLVER) {
                assertEquals(Source.SYSTEM, r.source(), r.toString());
            }
        }
        assertEquals("ld.so cache", plan.stream().filter(r -> r.library().soname().equals("libcusolverMg.so.11"))
                .findFirst().orElseThrow().where());
        assertEquals("default directory", plan.stream().filter(r -> r.library().soname().equals("libcusolver.so.11"))
                .findFirst().orElseThrow().where());
        List<Resolution> half = CudaLibraries.plan(TABLE, search(List.of(), null, Map.of(), List.of(d)), tmp.resolve("c"), true);
        assertTrue(half.stream().filter(r -> r.library().family() == Family.CUSOLVER)
                .allMatch(r -> r.source() == Source.MORSE_CACHE), "one root of two is not enough");
    }

    @Test
    void ldconfigOutputIsParsed() {
        String out = "1234 libs found in cache `/etc/ld.so.cache'\n"
                + "\tlibcublas.so.11 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcublas.so.11\n"
                + "\tlibcublas.so.11 (libc6) => /usr/lib/i386-linux-gnu/libcublas.so.11\n"
                + "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1\n"
                + "Cache generated by: ldconfig (GNU libc) stable release version 2.36\n";
        assertEquals(Map.of("libcublas.so.11", Path.of("/usr/lib/x86_64-linux-gnu/libcublas.so.11"),
                "libz.so.1", Path.of("/lib/x86_64-linux-gnu/libz.so.1")), CudaLibraries.parseLdconfig(out));
    }

    @Test
    void mappedFilesAreReadFromTheProcess() {
        Path libc = CudaLibraries.mappedFile("libc.so");
        assertNotNull(libc, "every Linux JVM maps libc");
        assertTrue(Files.exists(libc), libc.toString());
        assertNull(CudaLibraries.mappedFile("libno-such-library.so"));
    }
}
