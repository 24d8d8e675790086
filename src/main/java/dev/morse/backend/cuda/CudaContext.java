package dev.morse.backend.cuda;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;

import java.util.EnumMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasPointerMode;
import jcuda.jcusolver.JCusolverDn;
import jcuda.jcusolver.cusolverDnHandle;
import jcuda.runtime.cudaStream_t;

/**
 * Everything one CUDA backend owns on one device: the device's primary context (shared
 * with the CUDA runtime, which cuBLAS and cuSOLVER use), one stream that every kernel,
 * cuBLAS and cuSOLVER call is ordered on, the cuBLAS handle (bound to the stream, pointer
 * mode HOST by default), the cuSOLVER handle (bound to the stream), the loaded kernel
 * modules with their CUfunctions looked up once, and the grown-on-demand workspaces.
 *
 * <p>JCuda exceptions are enabled: every failing call throws {@link CudaException}.
 * {@link #close()} frees in reverse order of creation, is harmless twice, and any use
 * after it throws {@link IllegalStateException}. Not thread-safe (one driving thread at a
 * time); the context is made current on whichever thread calls in.
 */
public final class CudaContext implements KernelRuntime, AutoCloseable {
    private static final ThreadLocal<CudaContext> CURRENT = new ThreadLocal<>();

    final int ordinal;
    final String deviceName;
    final int ccMajor;
    final int ccMinor;
    final long totalBytes;
    private final CUdevice device = new CUdevice();
    private CUcontext context;
    private CUstream stream;
    private cudaStream_t runtimeStream;
    private cublasHandle cublas;
    private cusolverDnHandle cusolver;
    private final Map<KernelModule, CUmodule> modules = new EnumMap<>(KernelModule.class);
    private final CUfunction[] functions = new CUfunction[Kernel.values().length];
    private String kernelDescription = "";

    // kernel workspaces (PARTIALS), kept alive for recorded graphs (WorkspacePool); then the
    // library scratch: cuSOLVER work, the inertia gather buffer, pivots, info
    private final WorkspacePool<WorkBuffer> workspaces = new WorkspacePool<>(new WorkspacePool.Device<>() {
        @Override
        public WorkBuffer allocate(long doubles) {
            return allocateWork(doubles);
        }

        @Override
        public void free(WorkBuffer w) {
            JCudaDriver.cuMemFree(w.ptr);
        }

        @Override
        public void synchronize() {
            JCudaDriver.cuStreamSynchronize(stream);
        }
    });
    private WorkBuffer solverWork;
    private WorkBuffer hostCopy;
    private CUdeviceptr devInfo;
    private CUdeviceptr ipiv;
    private long ipivLength;
    private boolean closed;

    /** A context-owned float64 scratch buffer. */
    static final class WorkBuffer implements DeviceBuffer {
        final CUdeviceptr ptr = new CUdeviceptr();
        final long length;

        WorkBuffer(long length) {
            this.length = length;
        }

        @Override
        public long elements() {
            return length;
        }

        @Override
        public boolean ints() {
            return false;
        }
    }

    /** Opens device ordinal; on any failure frees what was created and rethrows. */
    public static CudaContext open(int ordinal) {
        CudaProbe.Status st = CudaProbe.status();
        if (!st.usable()) {
            throw new CudaException(st.reason());
        }
        if (ordinal < 0 || ordinal >= st.devices().size()) {
            throw new IllegalArgumentException("no CUDA device " + ordinal + " (" + st.devices().size() + " present)");
        }
        DeviceInfo info = st.devices().get(ordinal);
        CudaContext c = new CudaContext(info);
        try {
            c.init();
            return c;
        } catch (RuntimeException | LinkageError e) {
            try {
                c.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup); // the reason to report is why opening failed
            }
            throw e;
        }
    }

    private CudaContext(DeviceInfo info) {
        this.ordinal = info.ordinal();
        this.deviceName = info.name();
        this.ccMajor = info.ccMajor();
        this.ccMinor = info.ccMinor();
        this.totalBytes = info.totalBytes();
    }

    private void init() {
        JCudaDriver.cuDeviceGet(device, ordinal);
        if (CudaProbe.attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) != ccMajor
                || CudaProbe.attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR) != ccMinor) {
            throw new IllegalStateException("device " + ordinal + " changed since the probe");
        }
        CUcontext ctx = new CUcontext();
        JCudaDriver.cuDevicePrimaryCtxRetain(ctx, device);
        context = ctx;
        JCudaDriver.cuCtxSetCurrent(context);
        CURRENT.set(this);

        // a blocking stream: the legacy default stream (synchronous copies) also waits for it
        CUstream s = new CUstream();
        JCudaDriver.cuStreamCreate(s, CUstream_flags.CU_STREAM_DEFAULT);
        stream = s;
        runtimeStream = new cudaStream_t(stream);

        cublasHandle h = new cublasHandle();
        JCublas2.cublasCreate(h);
        cublas = h;
        JCublas2.cublasSetStream(cublas, runtimeStream);
        // HOST: dot / nrm2 return to the host (Backend contract), alpha / beta come from the
        // host; a caller wanting device-resident scalars uses the explicit *ToDevice methods
        JCublas2.cublasSetPointerMode(cublas, cublasPointerMode.CUBLAS_POINTER_MODE_HOST);

        cusolverDnHandle sh = new cusolverDnHandle();
        JCusolverDn.cusolverDnCreate(sh);
        cusolver = sh;
        JCusolverDn.cusolverDnSetStream(cusolver, runtimeStream);

        CUdeviceptr info = new CUdeviceptr();
        JCudaDriver.cuMemAlloc(info, 4);
        devInfo = info;

        KernelLoader.Loaded loaded = KernelLoader.load(ccMajor, ccMinor);
        modules.putAll(loaded.modules());
        kernelDescription = loaded.description();
        for (Kernel k : Kernel.values()) {
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, modules.get(k.module()), k.symbol());
            functions[k.ordinal()] = f;
        }
    }

    // ---------------------------------------------------------------- state

    /** Throws IllegalStateException after close; makes this context current on the calling thread. */
    void live() {
        if (closed) {
            throw new IllegalStateException("cuda backend used after close");
        }
        if (CURRENT.get() != this) {
            JCudaDriver.cuCtxSetCurrent(context);
            CURRENT.set(this);
        }
    }

    boolean closed() {
        return closed;
    }

    CUstream stream() {
        return stream;
    }

    cublasHandle cublas() {
        return cublas;
    }

    cusolverDnHandle cusolver() {
        return cusolver;
    }

    CUdeviceptr devInfo() {
        return devInfo;
    }

    String kernelDescription() {
        return kernelDescription;
    }

    /** Blocks until all work queued on the stream is done. */
    void synchronize() {
        live();
        JCudaDriver.cuStreamSynchronize(stream);
    }

    /** (free, total) device memory in bytes. */
    long[] memoryInfo() {
        live();
        long[] free = new long[1];
        long[] total = new long[1];
        JCudaDriver.cuMemGetInfo(free, total);
        return new long[] {free[0], total[0]};
    }

    // ---------------------------------------------------------------- workspaces

    private WorkBuffer allocateWork(long doubles) {
        WorkBuffer w = new WorkBuffer(doubles);
        try {
            JCudaDriver.cuMemAlloc(w.ptr, DeviceMemoryEstimate.allocationBytes(doubles, 8));
        } catch (CudaException e) {
            throw CudaBackend.outOfMemory(e, "workspace", doubles, this);
        }
        return w;
    }

    /** Library scratch (never captured in a graph): grown exactly, the old buffer freed after a sync. */
    private WorkBuffer grow(WorkBuffer old, long doubles) {
        if (old != null && old.length >= doubles) {
            return old;
        }
        WorkBuffer w = allocateWork(doubles);
        if (old != null) {
            // queued work may still read the old buffer
            JCudaDriver.cuStreamSynchronize(stream);
            JCudaDriver.cuMemFree(old.ptr);
        }
        return w;
    }

    @Override
    public DeviceBuffer workspace(Workspace slot, long doubles) {
        live();
        return workspaces.get(slot, doubles);
    }

    /**
     * Called before a stream capture: kernel workspaces are kept alive from now on, since a
     * recorded graph holds their addresses (see {@link WorkspacePool}).
     */
    void pinWorkspaces() {
        workspaces.pin();
    }

    /** cuSOLVER's work array of at least doubles elements. */
    WorkBuffer solverWork(long doubles) {
        live();
        solverWork = grow(solverWork, doubles);
        return solverWork;
    }

    /** Scratch for gathering values to download (inertia's D blocks). */
    WorkBuffer hostCopyScratch(long doubles) {
        live();
        hostCopy = grow(hostCopy, doubles);
        return hostCopy;
    }

    /** int32 pivot array of at least n elements. */
    CUdeviceptr ipiv(long n) {
        live();
        if (ipiv == null || ipivLength < n) {
            if (ipiv != null) {
                JCudaDriver.cuStreamSynchronize(stream);
                JCudaDriver.cuMemFree(ipiv);
                ipiv = null;
            }
            CUdeviceptr p = new CUdeviceptr();
            JCudaDriver.cuMemAlloc(p, DeviceMemoryEstimate.allocationBytes(n, 4));
            ipiv = p;
            ipivLength = n;
        }
        return ipiv;
    }

    // ---------------------------------------------------------------- launches

    /** The device address of (buffer, element offset) for a kernel or library call. */
    static CUdeviceptr address(DeviceBuffer b, long off) {
        CUdeviceptr base;
        if (b instanceof DeviceArray a) {
            base = a.ptr();
        } else if (b instanceof WorkBuffer w) {
            base = w.ptr;
        } else {
            throw new IllegalArgumentException("not a device buffer of the cuda backend: " + b);
        }
        return off == 0 ? base : base.withByteOffset(off * (b.ints() ? 4L : 8L));
    }

    @Override
    public void launch(Kernel kernel, LaunchConfig.Grid g, KernelArgs a) {
        live();
        a.check(kernel);
        NativePointerObject[] params = new NativePointerObject[a.count()];
        for (int i = 0; i < a.count(); i++) {
            switch (a.type(i)) {
                case I32 -> params[i] = Pointer.to(new int[] {(int) a.integer(i)});
                case I64 -> params[i] = Pointer.to(new long[] {a.integer(i)});
                case F64 -> params[i] = Pointer.to(new double[] {a.real(i)});
                case PTR_F64, PTR_I32 -> params[i] = Pointer.to(a.buffer(i) == null
                        ? new CUdeviceptr() : address(a.buffer(i), a.offset(i)));
                default -> throw new AssertionError(a.type(i));
            }
        }
        // static shared memory only (declared in the kernels), so 0 dynamic bytes
        JCudaDriver.cuLaunchKernel(functions[kernel.ordinal()], g.gx(), g.gy(), g.gz(),
                g.bx(), g.by(), g.bz(), 0, stream, Pointer.to(params), null);
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // best effort in reverse order; the first failure is rethrown after everything was tried
        RuntimeException first = null;
        try {
            if (context != null) {
                JCudaDriver.cuCtxSetCurrent(context);
                if (stream != null) {
                    JCudaDriver.cuStreamSynchronize(stream);
                }
            }
        } catch (RuntimeException e) {
            first = e;
        }
        RuntimeException ws = workspaces.close();
        first = first == null ? ws : first;
        if (solverWork != null) {
            first = free(solverWork.ptr, first);
        }
        if (hostCopy != null) {
            first = free(hostCopy.ptr, first);
        }
        first = free(ipiv, first);
        first = free(devInfo, first);
        for (CUmodule m : modules.values()) {
            try {
                JCudaDriver.cuModuleUnload(m);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        modules.clear();
        try {
            if (cusolver != null) {
                JCusolverDn.cusolverDnDestroy(cusolver);
            }
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        try {
            if (cublas != null) {
                JCublas2.cublasDestroy(cublas);
            }
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        try {
            if (stream != null) {
                JCudaDriver.cuStreamDestroy(stream);
            }
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        try {
            if (context != null) {
                JCudaDriver.cuDevicePrimaryCtxRelease(device);
            }
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        if (CURRENT.get() == this) {
            CURRENT.remove();
        }
        if (first != null) {
            throw first;
        }
    }

    private static RuntimeException free(CUdeviceptr p, RuntimeException first) {
        if (p == null) {
            return first;
        }
        try {
            JCudaDriver.cuMemFree(p);
        } catch (RuntimeException e) {
            return first == null ? e : first;
        }
        return first;
    }

    @Override
    public String toString() {
        return "cuda:" + ordinal + " " + deviceName + " (sm_" + ccMajor + ccMinor + ")";
    }
}
