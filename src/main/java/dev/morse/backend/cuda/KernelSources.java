package dev.morse.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * The kernel sources and prebuilt fatbins as classpath resources (the pom copies kernels/
 * to {@value #RESOURCE_DIR}; native/build-kernels.sh writes the fatbins and a manifest
 * there). The source hash ties a fatbin to the sources it was built from.
 */
public final class KernelSources {
    public static final String RESOURCE_DIR = "dev/morse/backend/cuda/kernels/";
    /** Headers included by the modules (NVRTC gets them by name: it has no file system). */
    public static final List<String> HEADERS = List.of("morse_common.cuh", "morse_math.cuh");
    /** The manifest written by native/build-kernels.sh next to the fatbins. */
    public static final String MANIFEST = "kernels.properties";

    private KernelSources() {
    }

    /** All source file names (headers and modules) in byte order of their names. */
    public static List<String> files() {
        List<String> all = new ArrayList<>(HEADERS);
        for (KernelModule m : KernelModule.values()) {
            all.add(m.sourceName());
        }
        all.sort(null);
        return all;
    }

    /** A resource of the kernel directory, or null if absent. */
    static byte[] resource(String name) {
        try (InputStream in = KernelSources.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernel resource " + name + ": " + e.getMessage(), e);
        }
    }

    /** The text of a kernel source file; throws if the jar lacks it (a broken build). */
    public static String source(String name) {
        byte[] b = resource(name);
        if (b == null) {
            throw new IllegalStateException("kernel source " + RESOURCE_DIR + name + " is not on the class path");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * SHA-256 of all sources' bytes concatenated in {@link #files()} order, hex; the same
     * value native/build-kernels.sh records as sources.sha256.
     */
    public static String sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String f : files()) {
                byte[] b = resource(f);
                if (b == null) {
                    throw new IllegalStateException("kernel source " + RESOURCE_DIR + f + " is not on the class path");
                }
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The build manifest, or null if no fatbins were built (no nvcc at build time). */
    public static Properties manifest() {
        byte[] b = resource(MANIFEST);
        if (b == null) {
            return null;
        }
        Properties p = new Properties();
        try {
            p.load(new java.io.ByteArrayInputStream(b));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + MANIFEST + ": " + e.getMessage(), e);
        }
        return p;
    }

    /** The prebuilt fatbin of a module, or null. */
    public static byte[] fatbin(KernelModule m) {
        return resource(m.fatbinName());
    }
}
