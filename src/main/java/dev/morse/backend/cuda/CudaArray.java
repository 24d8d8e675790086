package dev.morse.backend.cuda;

import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/** A float64 array in device memory; all access goes through its {@link CudaBackend}. */
final class CudaArray implements DArray, DeviceBuffer {
    private final CudaBackend owner;
    private final long length;
    private CUdeviceptr ptr;

    CudaArray(CudaBackend owner, long length, CUdeviceptr ptr) {
        this.owner = owner;
        this.length = length;
        this.ptr = ptr;
    }

    /** The device pointer; throws after close. */
    CUdeviceptr ptr() {
        if (ptr == null) {
            throw new IllegalStateException("cuda array used after close");
        }
        return ptr;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long elements() {
        return length;
    }

    @Override
    public boolean ints() {
        return false;
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
            owner.released(this, 8 * length, p);
        }
    }

    /** Frees the device memory (called by the backend, with its context current). */
    static void free(CUdeviceptr p) {
        JCudaDriver.cuMemFree(p);
    }
}
