package dev.morse.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX format (LeCun's MNIST format): a 4-byte magic {@code 00 00 type rank},
 * then {@code rank} big-endian int32 sizes, then the elements big-endian in row-major order.
 * Files may be raw or gzip-compressed; compression is recognised by the gzip magic
 * {@code 1f 8b}, never by the file name. Any departure from the format (wrong magic, an
 * unknown type, a truncated file, bytes after the declared data) is a {@link DataException}
 * naming the file and what was expected against what was found.
 */
public final class Idx {
    /** Largest payload we hold in one Java array (the JVM's array limit, with headroom). */
    static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 16;

    private static final HexFormat HEX = HexFormat.of();

    private Idx() {
    }

    /** The IDX element types, with their type byte (third byte of the magic) and size. */
    public enum Type {
        UBYTE(0x08, 1, "ubyte"),
        BYTE(0x09, 1, "byte"),
        SHORT(0x0B, 2, "short"),
        INT(0x0C, 4, "int"),
        FLOAT(0x0D, 4, "float"),
        DOUBLE(0x0E, 8, "double");

        public final int code;
        public final int size;
        public final String label;

        Type(int code, int size, String label) {
            this.code = code;
            this.size = size;
            this.label = label;
        }

        /** The type with this magic byte, or null. */
        public static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }

        boolean integral() {
            return this != FLOAT && this != DOUBLE;
        }
    }

    /**
     * One IDX file in memory: its shape, element type and payload (kept as the file's
     * big-endian bytes, so 60000 MNIST images cost 47 MB, not 376 MB of doubles), and the
     * SHA-256 of the decompressed file (header and payload), the quantity DESIGN.md lists.
     */
    public static final class Array {
        private final String source;
        private final Type type;
        private final int[] dims;
        private final ByteBuffer data;
        private final int count;
        private final String sha256;

        Array(String source, Type type, int[] dims, byte[] payload, String sha256) {
            this.source = source;
            this.type = type;
            this.dims = dims.clone();
            this.data = ByteBuffer.wrap(payload).asReadOnlyBuffer(); // big-endian by default
            this.count = payload.length / type.size;
            this.sha256 = sha256;
        }

        /** The file this was read from. */
        public String source() {
            return source;
        }

        public Type type() {
            return type;
        }

        public int rank() {
            return dims.length;
        }

        public int dim(int i) {
            return dims[i];
        }

        public int[] dims() {
            return dims.clone();
        }

        /** Number of elements (product of the dimensions). */
        public int count() {
            return count;
        }

        /** Lower-case hex SHA-256 of the decompressed file. */
        public String sha256() {
            return sha256;
        }

        /** E.g. {@code 60000x28x28 ubyte}. */
        public String shape() {
            return shapeOf(dims, type);
        }

        /** Element i (row-major) as a double; exact for every IDX type. */
        public double getDouble(int i) {
            switch (type) {
                case UBYTE: return data.get(i) & 0xff;
                case BYTE: return data.get(i);
                case SHORT: return data.getShort(2 * i);
                case INT: return data.getInt(4 * i);
                case FLOAT: return data.getFloat(4 * i);
                case DOUBLE: return data.getDouble(8 * i);
                default: throw new AssertionError(type);
            }
        }

        /** Element i of an integer-typed file. */
        public int getInt(int i) {
            switch (type) {
                case UBYTE: return data.get(i) & 0xff;
                case BYTE: return data.get(i);
                case SHORT: return data.getShort(2 * i);
                case INT: return data.getInt(4 * i);
                default: throw new DataException(source + ": holds " + type.label
                        + " elements, expected an integer type");
            }
        }

        /** All elements times {@code scale}, row-major. */
        public double[] toDoubles(double scale) {
            double[] out = new double[count];
            for (int i = 0; i < count; i++) {
                out[i] = scale * getDouble(i);
            }
            return out;
        }

        /** All elements of an integer-typed file. */
        public int[] toInts() {
            int[] out = new int[count];
            for (int i = 0; i < count; i++) {
                out[i] = getInt(i);
            }
            return out;
        }
    }

    /** Reads an IDX file of any type and rank. */
    public static Array read(Path file) {
        return read(file, null, -1);
    }

    /**
     * Reads an IDX file that must have the given element type and rank (null / -1: any);
     * a mismatch is reported from the header, before the payload is read.
     */
    public static Array read(Path file, Type expectedType, int expectedRank) {
        String name = file.toString();
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new DataException(name + ": no such file");
        } catch (IOException e) {
            throw new DataException(name + ": cannot read: " + e.getMessage(), e);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            if (!gzip) {
                return parse(raw, name, fileSize, expectedType, expectedRank);
            }
            Counting decompressed = new Counting(new GZIPInputStream(raw, 1 << 16));
            try {
                return parse(decompressed, name + " (gzip)", -1, expectedType, expectedRank);
            } catch (EOFException e) {
                throw new DataException(name + ": truncated gzip stream: it ended after "
                        + decompressed.count + " decompressed bytes", e);
            } catch (ZipException e) {
                throw new DataException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
            }
        } catch (DataException e) {
            throw e;
        } catch (IOException e) {
            throw new DataException(name + ": cannot read: " + e, e);
        }
    }

    /**
     * Parses header and payload. {@code fileSize} is the raw file's size (checked against
     * the header before any allocation) or -1 for a compressed stream.
     */
    private static Array parse(InputStream in, String name, long fileSize, Type expectedType,
                               int expectedRank) throws IOException {
        MessageDigest sha = sha256Digest();
        DigestInputStream din = new DigestInputStream(in, sha);
        byte[] magic = din.readNBytes(4);
        if (magic.length < 4) {
            throw new DataException(name + ": truncated header: expected the 4-byte IDX magic,"
                    + " found " + magic.length + " bytes");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DataException(name + ": not an IDX file: magic bytes " + hex(magic)
                    + ", expected 00 00 <type> <rank>");
        }
        Type type = Type.of(magic[2] & 0xff);
        if (type == null) {
            throw new DataException(name + ": unknown IDX element type 0x" + HEX.toHexDigits(magic[2])
                    + " in magic " + hex(magic) + ", expected one of 08 (ubyte), 09 (byte),"
                    + " 0b (short), 0c (int), 0d (float), 0e (double)");
        }
        int rank = magic[3] & 0xff;
        if (rank == 0) {
            throw new DataException(name + ": IDX magic " + hex(magic)
                    + " declares rank 0, expected at least one dimension");
        }
        if ((expectedType != null && type != expectedType) || (expectedRank >= 0 && rank != expectedRank)) {
            throw new DataException(name + ": expected a rank-"
                    + (expectedRank >= 0 ? expectedRank : rank) + " "
                    + (expectedType != null ? expectedType : type).label + " IDX file, found rank "
                    + rank + " " + type.label + " (magic " + hex(magic) + ")");
        }
        byte[] dimBytes = din.readNBytes(4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new DataException(name + ": truncated header: expected " + 4 * rank
                    + " bytes of dimensions for rank " + rank + ", found " + dimBytes.length);
        }
        ByteBuffer db = ByteBuffer.wrap(dimBytes);
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = db.getInt();
            if (dims[i] < 0) {
                throw new DataException(name + ": dimension " + i + " is " + Integer.toUnsignedString(dims[i])
                        + ", expected at most " + Integer.MAX_VALUE);
            }
            count *= dims[i];
            if (count * type.size > MAX_PAYLOAD_BYTES) {
                throw new DataException(name + ": header declares " + shapeOf(dims, i + 1, type)
                        + "..., more than " + MAX_PAYLOAD_BYTES + " bytes of data (one Java array)");
            }
        }
        int headerBytes = 4 + 4 * rank;
        int payloadBytes = (int) (count * type.size);
        String declared = "header declares " + shapeOf(dims, type) + " = " + payloadBytes + " data bytes";
        if (fileSize >= 0 && fileSize != headerBytes + (long) payloadBytes) {
            long found = fileSize - headerBytes;
            throw new DataException(name + (found < payloadBytes ? ": truncated: " : ": size mismatch: ")
                    + declared + " (file size " + (headerBytes + (long) payloadBytes) + "), found "
                    + found + " data bytes (file size " + fileSize + ")");
        }
        byte[] payload = din.readNBytes(payloadBytes); // grows in chunks: a lying header costs no big allocation
        if (payload.length < payloadBytes) {
            throw new DataException(name + ": truncated: " + declared + ", found " + payload.length);
        }
        long trailing = 0;
        byte[] skip = new byte[8192];
        for (int r; (r = din.read(skip)) > 0; ) {
            trailing += r;
        }
        if (trailing > 0) {
            throw new DataException(name + ": size mismatch: " + declared + ", found "
                    + trailing + " more bytes after them");
        }
        return new Array(name, type, dims, payload, HEX.formatHex(sha.digest()));
    }

    static String shapeOf(int[] dims, Type type) {
        return shapeOf(dims, dims.length, type);
    }

    private static String shapeOf(int[] dims, int upTo, Type type) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < upTo; i++) {
            sb.append(i == 0 ? "" : "x").append(dims[i]);
        }
        return sb.append(' ').append(type.label).toString();
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            sb.append(i == 0 ? "" : " ").append(HEX.toHexDigits(b[i]));
        }
        return sb.toString();
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /** Counts bytes read, so a truncated gzip stream can say how far it got. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) {
                count += r;
            }
            return r;
        }
    }
}
