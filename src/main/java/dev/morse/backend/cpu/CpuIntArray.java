package dev.morse.backend.cpu;

import dev.morse.backend.Backend;
import dev.morse.backend.IArray;

/** Int32 labels; the CPU kernels read them from the Java heap. */
final class CpuIntArray implements IArray {
    private final Backend owner;
    private final CpuBackend accounts;
    final int[] data;
    private boolean closed;

    CpuIntArray(CpuBackend owner, int n) {
        this(owner, owner, n);
    }

    /** An array that reports {@code owner} as its backend while {@code accounts} counts its bytes (test references). */
    CpuIntArray(Backend owner, CpuBackend accounts, int n) {
        this.accounts = accounts;
        this.owner = owner;
        this.data = new int[n];
    }

    @Override
    public int length() {
        return data.length;
    }

    @Override
    public Backend backend() {
        return owner;
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            accounts.released(4L * data.length);
        }
    }
}
