package dev.morse.data;

import static dev.morse.data.TestFiles.gzip;
import static dev.morse.data.TestFiles.idx;
import static dev.morse.data.TestFiles.ubyteIdx;
import static dev.morse.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    private static final int[] DIMS = {3, 2, 2};
    private static final int[] VALUES = {0, 1, 2, 127, 128, 200, 255, 7, 8, 9, 10, 11};

    /** Asserts the exception is one line naming the file and containing each fragment. */
    private static DataException fails(Path file, Runnable r, String... fragments) {
        DataException e = assertThrows(DataException.class, r::run);
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + f + "' in: " + m);
        }
        return e;
    }

    @Test
    void readsRawUbyte() throws Exception {
        byte[] bytes = ubyteIdx(DIMS, VALUES);
        Path p = write(dir.resolve("a-idx3-ubyte"), bytes);
        Idx.Array a = Idx.read(p);
        assertEquals(Idx.Type.UBYTE, a.type());
        assertArrayEquals(DIMS, a.dims());
        assertEquals(12, a.count());
        assertEquals("3x2x2 ubyte", a.shape());
        assertArrayEquals(VALUES, a.toInts());
        assertEquals(200.0, a.getDouble(5));
        assertEquals(255 * 0.5, a.toDoubles(0.5)[6]);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertEquals(sha, a.sha256());
    }

    @Test
    void gzipIsDetectedByMagicNotByName() {
        byte[] bytes = ubyteIdx(DIMS, VALUES);
        Idx.Array raw = Idx.read(write(dir.resolve("raw"), bytes));
        Idx.Array gzNoSuffix = Idx.read(write(dir.resolve("compressed-but-no-suffix"), gzip(bytes)));
        Idx.Array rawWithGzName = Idx.read(write(dir.resolve("not-really.gz"), bytes));
        for (Idx.Array a : new Idx.Array[] {gzNoSuffix, rawWithGzName}) {
            assertArrayEquals(VALUES, a.toInts());
            assertArrayEquals(DIMS, a.dims());
            assertEquals(raw.sha256(), a.sha256(), "sha256 is of the decompressed file");
        }
    }

    @Test
    void readsEveryIdxType() {
        // (type code, element bytes, expected values) for each IDX type
        ByteBuffer b;
        b = ByteBuffer.allocate(3).put((byte) -5).put((byte) 0).put((byte) 127);
        check(0x09, b.array(), Idx.Type.BYTE, -5, 0, 127);
        b = ByteBuffer.allocate(6).putShort((short) -300).putShort((short) 0).putShort((short) 32767);
        check(0x0B, b.array(), Idx.Type.SHORT, -300, 0, 32767);
        b = ByteBuffer.allocate(12).putInt(-70000).putInt(0).putInt(Integer.MAX_VALUE);
        check(0x0C, b.array(), Idx.Type.INT, -70000, 0, Integer.MAX_VALUE);
        b = ByteBuffer.allocate(12).putFloat(1.5f).putFloat(-0.25f).putFloat(3e38f);
        check(0x0D, b.array(), Idx.Type.FLOAT, 1.5, -0.25, (double) 3e38f);
        b = ByteBuffer.allocate(24).putDouble(Math.PI).putDouble(-1e-300).putDouble(0.0);
        check(0x0E, b.array(), Idx.Type.DOUBLE, Math.PI, -1e-300, 0.0);
    }

    private void check(int code, byte[] payload, Idx.Type type, double... expected) {
        Path p = write(dir.resolve("t" + code), gzip(idx(code, new int[] {expected.length}, payload)));
        Idx.Array a = Idx.read(p, type, 1);
        assertEquals(type, a.type());
        assertArrayEquals(expected, a.toDoubles(1.0), 0.0);
        if (type == Idx.Type.FLOAT || type == Idx.Type.DOUBLE) {
            fails(p, () -> a.getInt(0), "expected an integer type");
        } else {
            for (int i = 0; i < expected.length; i++) {
                assertEquals((int) expected[i], a.getInt(i));
            }
        }
    }

    @Test
    void wrongMagicUnknownTypeAndRankZeroAreErrors() {
        Path p = write(dir.resolve("magic"), new byte[] {0x08, 0x03, 0, 0, 0, 0, 0, 1, 5});
        fails(p, () -> Idx.read(p), "not an IDX file", "08 03 00 00", "expected 00 00");
        Path q = write(dir.resolve("type"), idx(0x07, new int[] {1}, new byte[] {1}));
        fails(q, () -> Idx.read(q), "unknown IDX element type 0x07", "expected one of 08");
        Path r = write(dir.resolve("rank0"), new byte[] {0, 0, 8, 0});
        fails(r, () -> Idx.read(r), "rank 0", "expected at least one dimension");
        Path png = write(dir.resolve("image.png"), gzip(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2}));
        fails(png, () -> Idx.read(png), "(gzip)", "not an IDX file", "89 50 4e 47");
    }

    @Test
    void expectedTypeAndRankAreCheckedFromTheHeader() {
        Path p = write(dir.resolve("labels"), ubyteIdx(new int[] {4}, 1, 2, 3, 4));
        fails(p, () -> Idx.read(p, Idx.Type.UBYTE, 3), "expected a rank-3 ubyte IDX file, found rank 1 ubyte");
        fails(p, () -> Idx.read(p, Idx.Type.INT, 1), "expected a rank-1 int IDX file, found rank 1 ubyte");
    }

    @Test
    void truncatedRawFilesSayWhatWasExpected() {
        byte[] full = ubyteIdx(DIMS, VALUES);
        Path p = write(dir.resolve("short"), Arrays.copyOf(full, full.length - 2));
        fails(p, () -> Idx.read(p), "truncated", "3x2x2 ubyte = 12 data bytes", "found 10 data bytes");
        Path e = write(dir.resolve("empty"), new byte[0]);
        fails(e, () -> Idx.read(e), "truncated header", "found 0 bytes");
        Path h = write(dir.resolve("header"), Arrays.copyOf(full, 9));
        fails(h, () -> Idx.read(h), "truncated header", "expected 12 bytes of dimensions", "found 5");
        Path missing = dir.resolve("nope");
        fails(missing, () -> Idx.read(missing), "no such file");
    }

    @Test
    void trailingBytesAreASizeMismatch() {
        byte[] full = ubyteIdx(DIMS, VALUES);
        byte[] longer = Arrays.copyOf(full, full.length + 3);
        Path p = write(dir.resolve("long"), longer);
        fails(p, () -> Idx.read(p), "size mismatch", "12 data bytes", "found 15 data bytes");
        Path g = write(dir.resolve("long.gz"), gzip(longer));
        fails(g, () -> Idx.read(g), "size mismatch", "12 data bytes", "found 3 more bytes");
    }

    @Test
    void truncatedAndCorruptGzipAreErrors() {
        // incompressible payload so that cutting the compressed stream cuts the data
        byte[] payload = new byte[4000];
        new SplittableRandom(1).nextBytes(payload);
        byte[] gz = gzip(idx(0x08, new int[] {40, 100}, payload));
        Path cut = write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        fails(cut, () -> Idx.read(cut), "truncated gzip stream", "decompressed bytes");
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 8] ^= 0x55; // first byte of the CRC32 trailer
        Path crc = write(dir.resolve("crc.gz"), badCrc);
        fails(crc, () -> Idx.read(crc), "corrupt gzip data");
        // a valid gzip stream whose IDX content is short
        byte[] full = ubyteIdx(DIMS, VALUES);
        Path shortIdx = write(dir.resolve("short.gz"), gzip(Arrays.copyOf(full, full.length - 4)));
        fails(shortIdx, () -> Idx.read(shortIdx), "truncated", "12 data bytes", "found 8");
    }

    @Test
    void absurdHeaderSizesAreRejectedBeforeAllocation() {
        Path p = write(dir.resolve("huge"), idx(0x08, new int[] {65536, 65536}, new byte[0]));
        fails(p, () -> Idx.read(p), "65536x65536 ubyte", "more than");
        Path g = write(dir.resolve("huge.gz"), gzip(idx(0x0E, new int[] {1 << 20, 1 << 10}, new byte[0])));
        fails(g, () -> Idx.read(g), "1048576x1024 double", "more than");
        Path neg = write(dir.resolve("neg"), idx(0x08, new int[] {-1}, new byte[0]));
        fails(neg, () -> Idx.read(neg), "dimension 0 is 4294967295");
        // a large but legal declaration on a tiny gzip stream: truncated, not an OutOfMemoryError
        Path lie = write(dir.resolve("lie.gz"), gzip(idx(0x08, new int[] {1_000_000_000}, new byte[] {1, 2})));
        fails(lie, () -> Idx.read(lie), "truncated", "found 2");
    }
}
