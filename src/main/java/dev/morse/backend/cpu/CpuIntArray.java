package dev.morse.backend.cpu;

import dev.morse.backend.Backend;
import dev.morse.backend.IArray;

/** Int32 labels; the CPU kernels read them from the Java heap. */
final class CpuIntArray implements IArray {
    private final CpuBackend owner;
    final int[] data;
    private boolean closed;

    CpuIntArray(CpuBackend owner, int n) {
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
            owner.released(4L * data.length);
        }
    }
}
