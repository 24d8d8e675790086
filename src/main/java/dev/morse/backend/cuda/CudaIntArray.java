package dev.morse.backend.cuda;

import dev.morse.backend.Backend;
import dev.morse.backend.IArray;
import jcuda.driver.CUdeviceptr;

/** An int32 array in device memory (labels) with its exact host copy (see {@link LabelShadow}). */
final class CudaIntArray implements IArray, DeviceIntBuffer {
    private final CudaBackend owner;
    private final LabelShadow shadow;
    private CUdeviceptr ptr;

    CudaIntArray(CudaBackend owner, int length, CUdeviceptr ptr) {
        this.owner = owner;
        this.shadow = new LabelShadow(length);
        this.ptr = ptr;
    }

    CUdeviceptr ptr() {
        if (ptr == null) {
            throw new IllegalStateException("cuda int array used after close");
        }
        return ptr;
    }

    @Override
    public LabelShadow shadow() {
        return shadow;
    }

    @Override
    public int length() {
        return shadow.length();
    }

    @Override
    public long elements() {
        return shadow.length();
    }

    @Override
    public Backend backend() {
        return owner;
    }

    boolean closed() {
        return ptr == null;
    }

    /** Detaches the storage (the backend is closing and frees it); returns the pointer. */
    CUdeviceptr invalidate() {
        CUdeviceptr p = ptr;
        ptr = null;
        return p;
    }

    @Override
    public void close() {
        if (ptr != null) {
            CUdeviceptr p = ptr;
            ptr = null;
            owner.released(this, 4L * shadow.length(), p);
        }
    }
}
