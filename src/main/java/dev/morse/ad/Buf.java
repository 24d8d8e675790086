package dev.morse.ad;

import dev.morse.backend.DArray;

/**
 * A region of a device array holding one traced value (or k blocks of it, one after another,
 * for tangents). Fixed at compile time; rules read {@code a} and {@code off}.
 */
public final class Buf {
    public final DArray a;
    public final long off;
    public final int rows;
    public final int cols;
    public final long size;

    Buf(DArray a, long off, Shape s) {
        this.a = a;
        this.off = off;
        this.rows = s.rows();
        this.cols = s.cols();
        this.size = s.size();
    }

    /** Offset of block j. */
    public long block(int j) {
        return off + j * size;
    }
}
