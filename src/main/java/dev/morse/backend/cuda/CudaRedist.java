package dev.morse.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The CUDA 11.8 runtime libraries that JCuda 11.7's natives link against, taken from the
 * redistributable jar that Maven Central serves ({@value #COORDINATES}, 2.09 GB) and kept in
 * the morse cache ({@link #cacheDir}): only the six libraries morse needs (1.22 GB), each
 * checked against the SHA-256 recorded here before it is moved into place.
 *
 * <p>The table is what {@code readelf -d} shows (NEEDED entries, 2026-12-02): libJCublas2
 * needs libcublas.so.11, which needs libcublasLt.so.11; libJCusolver needs libcusolver.so.11
 * and libcusolverMg.so.11, both of which need libcublas.so.11 and libcublasLt.so.11;
 * libJNvrtc needs libnvrtc.so.11.2, which opens libnvrtc-builtins.so.11.8 at run time (the
 * name is in its strings). Nothing needs libcudart.so.11.0 (JCuda's runtime binding links
 * the runtime statically; no library above names it), so it is not extracted.
 */
public final class CudaRedist {
    /** The Maven artifact (the pom's {@code cuda-redist} profile names the same). */
    public static final String GROUP = "org.bytedeco";
    public static final String ARTIFACT = "cuda";
    public static final String VERSION = "11.8-8.6-1.5.8";
    public static final String CLASSIFIER = "linux-x86_64-redist";
    public static final String COORDINATES = GROUP + ":" + ARTIFACT + ":" + VERSION + ":jar:" + CLASSIFIER;
    /** SHA-1 of the jar as Maven Central lists it (cuda-11.8-8.6-1.5.8-linux-x86_64-redist.jar.sha1). */
    public static final String JAR_SHA1 = "1fb0431b86c5f9535e6e4fd5439c255cf85b8de4";
    /** Where the libraries sit inside the jar. */
    public static final String ENTRY_DIR = "org/bytedeco/cuda/linux-x86_64/";
    /** The cache subdirectory (under the morse cache root) that holds them. */
    public static final String CACHE_NAME = "cuda-" + VERSION + "-" + CLASSIFIER;

    /** Which JCuda binding a library serves; a family comes from one place (the system or morse's cache). */
    public enum Family { CUBLAS, CUSOLVER, NVRTC }

    /** One shared library: its soname (= its file name in the jar), size, SHA-256 and the libraries of this table it needs. */
    public record Library(String soname, Family family, long size, String sha256, List<String> needs) {
    }

    /**
     * The libraries morse needs, with the sizes and SHA-256 sums measured on 2026-12-02 from
     * the jar above as downloaded from Maven Central by {@code mvn dependency:get} (its SHA-1
     * {@value #JAR_SHA1} matched Central's), with {@code unzip} and {@code sha256sum}.
     */
    public static final List<Library> LIBRARIES = List.of(
            new Library("libcublasLt.so.11", Family.CUBLAS, 574_565_016L,
                    "b6d14a7461b3ec1995427fd179b98b915c9fc81057366ab7bfa4681451b0d308", List.of()),
            new Library("libcublas.so.11", Family.CUBLAS, 94_729_912L,
                    "3b81d170cd613cf9ee24d30b483f7b6d8170d6d32a0354fc207d09c943ae3f62", List.of("libcublasLt.so.11")),
            new Library("libcusolver.so.11", Family.CUSOLVER, 302_702_224L,
                    "4101db492627c7d10c891b12d96ecc2f375be7597956cbe90e1a9609bba301b5",
                    List.of("libcublas.so.11", "libcublasLt.so.11")),
            new Library("libcusolverMg.so.11", Family.CUSOLVER, 184_705_792L,
                    "0ed1fcdd42466f79f6925e3a0f7440ae9c4494ea4cfe8921ce82772a48d51ef8",
                    List.of("libcublas.so.11", "libcublasLt.so.11")),
            new Library("libnvrtc-builtins.so.11.8", Family.NVRTC, 7_718_792L,
                    "2dc4bf687034e89e117ef82fb300291e4833319a2d47722005d40eeafbafdaaf", List.of()),
            new Library("libnvrtc.so.11.2", Family.NVRTC, 54_409_816L,
                    "672ee68399b0aa98cf52d056302487da8cce72571034bb470c4cdabb406ca3e2",
                    List.of("libnvrtc-builtins.so.11.8")));

    private static final HexFormat HEX = HexFormat.of();

    private CudaRedist() {
    }

    /** Thrown when a jar or a cache directory does not hold what the table says. */
    public static final class RedistException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RedistException(String message) {
            super(message);
        }
    }

    /**
     * The cache directory (docs/data.md's rules): {@code $MORSE_CACHE/}{@value #CACHE_NAME}
     * if MORSE_CACHE is set, else {@code $XDG_CACHE_HOME/morse/...}, else {@code ~/.cache/morse/...}.
     */
    public static Path cacheDir(Map<String, String> env, String home) {
        String morse = env.get("MORSE_CACHE");
        if (morse != null && !morse.isBlank()) {
            return Path.of(morse, CACHE_NAME);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "morse", CACHE_NAME);
        }
        return Path.of(home, ".cache", "morse", CACHE_NAME);
    }

    /** {@link #cacheDir(Map, String)} of this process. */
    public static Path defaultCacheDir() {
        return cacheDir(System.getenv(), System.getProperty("user.home"));
    }

    /** Sum of the libraries' sizes, bytes. */
    public static long totalBytes(List<Library> libs) {
        return libs.stream().mapToLong(Library::size).sum();
    }

    /**
     * The cheap check done on every load: each file present with its recorded size. Returns
     * one problem per library that fails it (empty: all there).
     */
    public static List<String> quickCheck(Path dir, List<Library> libs) {
        List<String> problems = new ArrayList<>();
        for (Library l : libs) {
            Path f = dir.resolve(l.soname());
            try {
                if (!Files.isRegularFile(f)) {
                    problems.add(l.soname() + " missing");
                } else if (Files.size(f) != l.size()) {
                    problems.add(l.soname() + " has " + Files.size(f) + " bytes, expected " + l.size());
                }
            } catch (IOException e) {
                problems.add(l.soname() + " unreadable (" + e.getMessage() + ")");
            }
        }
        return problems;
    }

    /** SHA-256 of a file, hex. */
    public static String sha256(Path f) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HEX.formatHex(md.digest());
    }

    /** Full verification: size and SHA-256 of every library in dir; one problem per failure. */
    public static List<String> verify(Path dir, List<Library> libs) {
        List<String> problems = quickCheck(dir, libs);
        if (!problems.isEmpty()) {
            return problems;
        }
        for (Library l : libs) {
            try {
                String got = sha256(dir.resolve(l.soname()));
                if (!got.equals(l.sha256())) {
                    problems.add(l.soname() + ": sha256 " + got + ", expected " + l.sha256());
                }
            } catch (IOException e) {
                problems.add(l.soname() + " unreadable (" + e.getMessage() + ")");
            }
        }
        return problems;
    }

    /**
     * Extracts the libraries from the jar into dir: each is written to a temporary file in
     * dir, hashed while it is written, and moved into place only if size and SHA-256 match;
     * a library already in place with the right size and sum is kept. Nothing else of the
     * jar is extracted. Throws {@link RedistException} naming every library that is absent
     * from the jar or does not match (nothing of a mismatching library is left behind).
     */
    public static void extract(Path jar, Path dir, List<Library> libs) throws IOException {
        Files.createDirectories(dir);
        List<String> problems = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (Library l : libs) {
                Path target = dir.resolve(l.soname());
                if (verify(dir, List.of(l)).isEmpty()) {
                    continue;
                }
                ZipEntry e = zip.getEntry(ENTRY_DIR + l.soname());
                if (e == null || e.isDirectory()) {
                    problems.add(jar.getFileName() + " holds no " + ENTRY_DIR + l.soname());
                    continue;
                }
                // not createTempFile: its mode 600 would keep a shared cache (MORSE_CACHE) private
                Path part = dir.resolve(l.soname() + ".part-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
                MessageDigest md = digest();
                long n;
                try {
                    try (InputStream in = new DigestInputStream(zip.getInputStream(e), md);
                         OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE_NEW,
                                 StandardOpenOption.WRITE)) {
                        n = in.transferTo(out);
                    }
                    String got = HEX.formatHex(md.digest());
                    if (n != l.size() || !got.equals(l.sha256())) {
                        problems.add(l.soname() + " in " + jar.getFileName() + ": " + n + " bytes, sha256 " + got
                                + "; expected " + l.size() + " bytes, sha256 " + l.sha256());
                        continue;
                    }
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(part);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RedistException(String.join("; ", problems));
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
