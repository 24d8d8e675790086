package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.cuda.CudaRedist.Family;
import dev.morse.backend.cuda.CudaRedist.Library;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction from a small fake redist jar, checksum verification and the cache directory; no download. */
class CudaRedistTest {
    /** SHA-256("abc"), the test vector of FIPS 180-2, Appendix B.1. */
    static final String SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    /** SHA-256 of the empty string (FIPS 180-4 examples). */
    static final String SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    static final Library ABC = new Library("libabc.so.1", Family.CUBLAS, 3, SHA256_ABC, List.of());
    static final Library EMPTY = new Library("libempty.so.2", Family.CUBLAS, 0, SHA256_EMPTY, List.of("libabc.so.1"));

    static Path fakeJar(Path dir, Map<String, String> entries) throws IOException {
        Path jar = dir.resolve("fake-redist.jar");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return jar;
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void extractsOnlyTheTableAndVerifiesIt(@TempDir Path tmp) throws IOException {
        Path jar = fakeJar(tmp, Map.of(CudaRedist.ENTRY_DIR + "libabc.so.1", "abc", CudaRedist.ENTRY_DIR + "libempty.so.2", "",
                CudaRedist.ENTRY_DIR + "libcudnn.so.8", "not wanted", "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"));
        Path cache = tmp.resolve("cache");
        CudaRedist.extract(jar, cache, List.of(ABC, EMPTY));
        assertEquals(List.of("libabc.so.1", "libempty.so.2"), names(cache), "nothing else, no temporary files");
        assertEquals("abc", Files.readString(cache.resolve("libabc.so.1")));
        assertEquals(List.of(), CudaRedist.verify(cache, List.of(ABC, EMPTY)));

        // a second run keeps verified files as they are
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(cache.resolve("libabc.so.1"), old);
        CudaRedist.extract(jar, cache, List.of(ABC, EMPTY));
        assertEquals(old, Files.getLastModifiedTime(cache.resolve("libabc.so.1")));
    }

    @Test
    void aWrongSumOrAMissingEntryLeavesNothingBehind(@TempDir Path tmp) throws IOException {
        Path jar = fakeJar(tmp, Map.of(CudaRedist.ENTRY_DIR + "libabc.so.1", "abd"));
        Path cache = tmp.resolve("cache");
        CudaRedist.RedistException e = assertThrows(CudaRedist.RedistException.class,
                () -> CudaRedist.extract(jar, cache, List.of(ABC, EMPTY)));
        assertTrue(e.getMessage().contains("libabc.so.1 in fake-redist.jar: 3 bytes, sha256 "), e.getMessage());
        assertTrue(e.getMessage().contains("expected 3 bytes, sha256 " + SHA256_ABC), e.getMessage());
        assertTrue(e.getMessage().contains("holds no " + CudaRedist.ENTRY_DIR + "libempty.so.2"), e.getMessage());
        assertEquals(List.of(), names(cache));
    }

    @Test
    void quickCheckSeesSizesAndVerifySeesContent(@TempDir Path dir) throws IOException {
        assertEquals(List.of("libabc.so.1 missing"), CudaRedist.quickCheck(dir, List.of(ABC)));
        Files.writeString(dir.resolve("libabc.so.1"), "abcd");
        assertEquals(List.of("libabc.so.1 has 4 bytes, expected 3"), CudaRedist.quickCheck(dir, List.of(ABC)));
        Files.writeString(dir.resolve("libabc.so.1"), "abd"); // right size, wrong bytes
        assertEquals(List.of(), CudaRedist.quickCheck(dir, List.of(ABC)));
        List<String> v = CudaRedist.verify(dir, List.of(ABC));
        assertEquals(1, v.size());
        assertTrue(v.get(0).startsWith("libabc.so.1: sha256 "), v.get(0));
        Files.writeString(dir.resolve("libabc.so.1"), "abc");
        assertEquals(SHA256_ABC, CudaRedist.sha256(dir.resolve("libabc.so.1")));
        assertEquals(List.of(), CudaRedist.verify(dir, List.of(ABC)));
    }

    @Test
    void cacheDirectoryFollowsTheDataRules() {
        String name = CudaRedist.CACHE_NAME;
        assertEquals(Path.of("/m", name), CudaRedist.cacheDir(Map.of("MORSE_CACHE", "/m", "XDG_CACHE_HOME", "/x"), "/h"));
        assertEquals(Path.of("/x", "morse", name), CudaRedist.cacheDir(Map.of("MORSE_CACHE", " ", "XDG_CACHE_HOME", "/x"), "/h"));
        assertEquals(Path.of("/h", ".cache", "morse", name), CudaRedist.cacheDir(Map.of(), "/h"));
    }

    @Test
    void thePomProfileNamesTheSameArtifact() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        int at = pom.indexOf("<id>cuda-redist</id>");
        assertTrue(at > 0, "the pom has a cuda-redist profile");
        String profile = pom.substring(at, pom.indexOf("</profile>", at));
        assertTrue(profile.contains("<groupId>" + CudaRedist.GROUP + "</groupId><artifactId>" + CudaRedist.ARTIFACT
                + "</artifactId><version>" + CudaRedist.VERSION + "</version>"), profile);
        assertTrue(profile.contains("<classifier>" + CudaRedist.CLASSIFIER + "</classifier><scope>provided</scope>"), profile);
    }

    @Test
    void theTableIsWellFormed() {
        for (Library l : CudaRedist.LIBRARIES) {
            assertTrue(l.sha256().matches("[0-9a-f]{64}"), l.soname());
            assertTrue(l.size() > 0, l.soname());
            assertFalse(l.soname().contains("/"), l.soname());
        }
        assertEquals(CudaRedist.LIBRARIES.size(),
                CudaRedist.LIBRARIES.stream().map(Library::soname).distinct().count(), "sonames are unique");
        // what JCuda 11.7's natives name as NEEDED (docs/GPU.md) is all in the table
        for (String needed : List.of("libcublas.so.11", "libcusolver.so.11", "libcusolverMg.so.11", "libnvrtc.so.11.2")) {
            assertTrue(CudaRedist.LIBRARIES.stream().anyMatch(l -> l.soname().equals(needed)), needed);
        }
    }
}
