package dev.morse.backend.cpu;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.nio.DoubleBuffer;
import org.bytedeco.javacpp.DoublePointer;

/**
 * Off-heap float64 storage. BLAS calls get the address through one of a few alias
 * pointers (one per operand slot of a call, so one array may appear twice in one call at
 * different offsets); Java loops go through a direct DoubleBuffer view with absolute indexing.
 * A view holds at most 2³¹ − 1 bytes (2²⁸ − 1 elements): past that, Java loops take a
 * {@link #window} of the range they touch (an N×N Hessian past N = 16,383 is such an array).
 */
final class CpuArray implements DArray {
    static final int SLOTS = 3;

    private final Backend owner;
    private final CpuBackend accounts;
    private final long length;
    private DoublePointer storage;
    private final DoublePointer[] alias = new DoublePointer[SLOTS];
    final DoubleBuffer buf;

    CpuArray(CpuBackend owner, long length) {
        this(owner, owner, length);
    }

    /** An array that reports {@code owner} as its backend while {@code accounts} counts its bytes (test references). */
    CpuArray(Backend owner, CpuBackend accounts, long length) {
        this.accounts = accounts;
        if (length < 0 || length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("cpu backend: array of " + length
                    + " float64 elements is not supported (limit " + (Integer.MAX_VALUE - 16) + ")");
        }
        this.owner = owner;
        this.length = length;
        this.storage = new DoublePointer(Math.max(1, length));
        storage.fill(0);
        for (int i = 0; i < SLOTS; i++) {
            alias[i] = new DoublePointer(storage);
        }
        this.buf = storage.limit(Math.max(1, length)).asBuffer();
    }

    /** Whether {@link #buf} reaches element {@code end} (exclusive). */
    boolean viewReaches(long end) {
        return end <= buf.capacity();
    }

    /** A view of elements [off, off + len) indexed from 0 (allocates: for arrays past {@link #buf}'s reach). */
    DoubleBuffer window(long off, int len) {
        if (storage == null) {
            throw new IllegalStateException("cpu array used after close");
        }
        if (off < 0 || len < 0 || off + len > length) {
            throw new IndexOutOfBoundsException("window [" + off + ", " + (off + len) + ") of an array of " + length);
        }
        // a pointer whose address starts at off: javacpp clamps a view's byte offsets from the
        // address to int, so positioning the whole array's pointer would not reach past 2 GiB
        return storage.getPointer(off).limit(Math.max(1, len)).asBuffer();
    }

    /** The storage positioned at element {@code off}, through alias {@code slot}. */
    DoublePointer at(int slot, long off) {
        if (storage == null) {
            throw new IllegalStateException("cpu array used after close");
        }
        return alias[slot].position(off);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public Backend backend() {
        return owner;
    }

    @Override
    public void close() {
        if (storage != null) {
            storage.close();
            storage = null;
            accounts.released(8 * length);
        }
    }

    boolean closed() {
        return storage == null;
    }
}
