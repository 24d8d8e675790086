package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Turning JCuda's multi-line loader errors into one-line reasons. */
class CudaProbeTest {
    @Test
    void missingDriverAndLibrariesAreNamed() {
        UnsatisfiedLinkError driver = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-11.7.0\"\n"
                + "---(start of nested stack traces)---\njava.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-11.7.0-linux-x86_64.so:"
                + " libcuda.so.1: cannot open shared object file: No such file or directory\n\tat x.y");
        assertEquals("the NVIDIA driver library libcuda.so.1 is missing (no NVIDIA driver installed)",
                CudaProbe.reason(driver));
        NoClassDefFoundError again = new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver");
        again.initCause(new ExceptionInInitializerError("Exception " + driver.getMessage()));
        assertEquals(CudaProbe.reason(driver), CudaProbe.reason(again));
        UnsatisfiedLinkError cublas = new UnsatisfiedLinkError("x\n/tmp/libJCublas2.so: libcublas.so.11: cannot open shared object file");
        assertTrue(CudaProbe.reason(cublas).startsWith("libcublas.so.11 not found"), CudaProbe.reason(cublas));
        assertEquals("the NVIDIA driver reports no CUDA device",
                CudaProbe.reason(new jcuda.CudaException("CUDA_ERROR_NO_DEVICE")));
        assertEquals("first line", CudaProbe.oneLine(new RuntimeException("first line\nsecond")));
        assertEquals("11.7", CudaProbe.driverString(11070));
        assertEquals("12.2", CudaProbe.driverString(12020));
    }

    @Test
    void statusOnThisMachineIsOneLine() {
        CudaProbe.Status s = CudaProbe.status();
        assertTrue(!s.reason().isBlank() && !s.reason().contains("\n"), s.reason());
        assertEquals(s, CudaProbe.status(), "computed once");
    }
}
