package dev.morse.backend.cuda;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcusolver.JCusolver;
import jcuda.runtime.JCuda;

/**
 * Whether CUDA is usable here and why not, without a stack trace: loads the CUDA 11.x
 * libraries ({@link CudaLibraries}), then the JCuda natives (which need the driver's
 * libcuda.so.1 and the CUDA 11.x libcublas / libcusolver),
 * initializes the driver and counts devices. The outcome is computed once per JVM.
 */
public final class CudaProbe {
    /** Outcome of the probe: usable, or the one-line reason why not; and the devices. */
    public record Status(boolean usable, String reason, int driverVersion, List<DeviceInfo> devices) {
    }

    private static volatile Status status;

    private CudaProbe() {
    }

    /** The probe's outcome (cached). */
    public static Status status() {
        Status s = status;
        if (s == null) {
            synchronized (CudaProbe.class) {
                s = status;
                if (s == null) {
                    s = probe();
                    status = s;
                }
            }
        }
        return s;
    }

    private static Status probe() {
        CudaLibraries.load(); // before any JCuda native links against libcublas.so.11 & co.
        int driver;
        List<DeviceInfo> devices;
        try {
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            int[] v = new int[1];
            JCudaDriver.cuDriverGetVersion(v);
            driver = v[0];
            devices = listDevices();
        } catch (LinkageError | CudaException e) {
            return new Status(false, reason(e), 0, List.of());
        }
        if (devices.isEmpty()) {
            return new Status(false, "the NVIDIA driver reports no CUDA device", driver, List.of());
        }
        try {
            // class initialization loads libJCublas2 / libJCusolver and with them the CUDA 11.x libraries
            JCuda.setExceptionsEnabled(true);
            JCublas2.setExceptionsEnabled(true);
            JCusolver.setExceptionsEnabled(true);
        } catch (LinkageError | CudaException e) {
            return new Status(false, reason(e), driver, devices);
        }
        return new Status(true, "CUDA driver " + driverString(driver) + ", " + devices.size() + " device(s)",
                driver, devices);
    }

    private static List<DeviceInfo> listDevices() {
        int[] count = new int[1];
        JCudaDriver.cuDeviceGetCount(count);
        List<DeviceInfo> out = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            CUdevice d = new CUdevice();
            JCudaDriver.cuDeviceGet(d, i);
            byte[] name = new byte[256];
            JCudaDriver.cuDeviceGetName(name, name.length, d);
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            long[] mem = new long[1];
            JCudaDriver.cuDeviceTotalMem(mem, d);
            out.add(new DeviceInfo(i, new String(name, 0, len, java.nio.charset.StandardCharsets.UTF_8).trim(),
                    attribute(d, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                    attribute(d, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), mem[0],
                    attribute(d, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)));
        }
        return out;
    }

    static int attribute(CUdevice d, int attribute) {
        int[] v = new int[1];
        JCudaDriver.cuDeviceGetAttribute(v, attribute, d);
        return v[0];
    }

    /** 11070 → "11.7" (the CUDA version the driver supports). */
    static String driverString(int v) {
        return (v / 1000) + "." + (v % 1000) / 10;
    }

    private static final Pattern MISSING_LIB =
            Pattern.compile("(lib[\\w.+-]+?\\.so[\\w.]*): cannot open shared object file");

    /** A one-line reason for a failure to load or initialize CUDA. */
    static String reason(Throwable e) {
        String all = fullText(e);
        Matcher m = MISSING_LIB.matcher(all);
        if (m.find()) {
            String lib = m.group(1);
            if (lib.startsWith("libcuda.so")) {
                return "the NVIDIA driver library " + lib + " is missing (no NVIDIA driver installed)";
            }
            return lib + " not found: run ./morse gpu-setup (the CUDA 11.8 libraries from Maven Central), or put"
                    + " your own CUDA 11.x libraries on LD_LIBRARY_PATH (docs/GPU.md)";
        }
        if (all.contains("CUDA_ERROR_NO_DEVICE")) {
            return "the NVIDIA driver reports no CUDA device";
        }
        if (all.contains("CUDA_ERROR_INSUFFICIENT_DRIVER") || all.contains("CUDA_ERROR_COMPAT_NOT_SUPPORTED")) {
            return "the NVIDIA driver is too old for CUDA 11 (" + oneLine(e) + ")";
        }
        return oneLine(e);
    }

    /** The first line of a throwable's message (JCuda's loader messages span many lines). */
    static String oneLine(Throwable e) {
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return msg.lines().findFirst().orElse(msg).trim();
    }

    private static String fullText(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null && s.length() < 100_000; t = t.getCause()) {
            s.append(t).append('\n');
            for (Throwable sup : t.getSuppressed()) {
                s.append(sup).append('\n');
            }
        }
        return s.toString();
    }
}
