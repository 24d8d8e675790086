package dev.morse.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builders for the test's own IDX, gzip and tar bytes, written independently of the readers. */
final class TestFiles {
    private TestFiles() {
    }

    /** An IDX file: magic 00 00 type rank, big-endian dims, payload. */
    static byte[] idx(int typeCode, int[] dims, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
        b.put((byte) 0).put((byte) 0).put((byte) typeCode).put((byte) dims.length);
        for (int v : dims) {
            b.putInt(v);
        }
        b.put(payload);
        return b.array();
    }

    /** A ubyte IDX file; values are taken mod 256. */
    static byte[] ubyteIdx(int[] dims, int... values) {
        byte[] p = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            p[i] = (byte) values[i];
        }
        return idx(0x08, dims, p);
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    static Path write(Path file, byte[] data) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A ustar header plus content padded to 512 bytes. */
    static byte[] tarEntry(String name, byte[] content, char type) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", content.length));
        put(h, 136, "00000000000");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        long sum = 0;
        for (byte x : h) {
            sum += x & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        int padded = (content.length + 511) / 512 * 512;
        byte[] out = new byte[512 + padded];
        System.arraycopy(h, 0, out, 0, 512);
        System.arraycopy(content, 0, out, 512, content.length);
        return out;
    }

    /** Entries followed by the two zero blocks that end an archive. */
    static byte[] tar(byte[]... entries) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        for (byte[] e : entries) {
            bos.writeBytes(e);
        }
        bos.writeBytes(new byte[1024]);
        return bos.toByteArray();
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
