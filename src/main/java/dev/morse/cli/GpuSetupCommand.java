package dev.morse.cli;

import dev.morse.backend.cuda.CudaLibraries;
import dev.morse.backend.cuda.CudaRedist;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code morse gpu-setup}: the CUDA 11.8 runtime libraries through Maven alone. Resolves
 * {@value CudaRedist#COORDINATES} with the pom's {@code cuda-redist} profile (Maven downloads
 * it into its local repository once), extracts the six libraries morse needs into the morse
 * cache, and checks each against the SHA-256 recorded in {@link CudaRedist}. A second run
 * finds them in place and verifies them again.
 */
@Command(name = "gpu-setup", mixinStandardHelpOptions = true,
        description = {"Fetch the CUDA 11.8 runtime libraries (cuBLAS, cuSOLVER, NVRTC) from Maven Central ("
                + CudaRedist.COORDINATES + ", 2.09 GB once) and put the 1.2 GB that morse needs, checksum-verified, "
                + "into the morse cache; morse loads them before JCuda. A GPU user then needs only the NVIDIA driver.",
                "Your own CUDA 11.x libraries, where the loader finds them, still win."})
public final class GpuSetupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--jar", paramLabel = "FILE", description = "Use this copy of the redist jar instead of resolving it with Maven.")
    Path jar;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (jar != null && !Files.isRegularFile(jar)) {
            throw new UserException("no such jar: " + jar);
        }
        Path dir = CudaRedist.defaultCacheDir();
        List<CudaRedist.Library> libs = CudaRedist.LIBRARIES;
        out.printf(Locale.ROOT, "morse gpu-setup: %d CUDA libraries (%s) into %s%n", libs.size(),
                gb(CudaRedist.totalBytes(libs)), dir);
        out.flush();
        long t0 = System.nanoTime();
        List<String> problems = CudaRedist.quickCheck(dir, libs).isEmpty() ? CudaRedist.verify(dir, libs) : List.of("absent");
        if (problems.isEmpty()) {
            out.printf(Locale.ROOT, "already in place; sha256 of all %d verified in %.1f s%n", libs.size(), secs(t0));
        } else {
            Path from = jar != null ? jar : resolve(out);
            long t1 = System.nanoTime();
            try {
                CudaRedist.extract(from, dir, libs);
            } catch (CudaRedist.RedistException e) {
                throw new UserException(e.getMessage());
            }
            out.printf(Locale.ROOT, "extracted and sha256-verified %d libraries from %s in %.1f s%n", libs.size(),
                    from, secs(t1));
            if (jar == null) {
                out.println("(the jar stays in Maven's local repository: " + from + "; it is not needed any more)");
            }
        }
        for (CudaRedist.Library l : libs) {
            out.printf(Locale.ROOT, "  %-26s %,13d bytes  sha256 %s  ok%n", l.soname(), l.size(), l.sha256());
        }
        // what the next JVM will load: a user's own installation, where the loader finds one, wins
        List<CudaLibraries.Resolution> plan = CudaLibraries.plan(libs, CudaLibraries.SystemSearch.ofThisProcess(), dir, true);
        for (CudaLibraries.Resolution r : plan) {
            if (r.source() == CudaLibraries.Source.SYSTEM && r.path() != null) {
                out.println("note: your own " + r.library().soname() + " (" + r.path() + ", " + r.where()
                        + ") is used instead of morse's");
            }
        }
        out.printf(Locale.ROOT, "done in %.1f s; next: ./morse selftest --backend cuda --no-device (checks all below the"
                + " driver), ./morse info%n", secs(t0));
        out.flush();
        return 0;
    }

    /** Resolves the jar with Maven (the pom's cuda-redist profile) and returns its path in the local repository. */
    private Path resolve(PrintWriter out) throws IOException, InterruptedException {
        String home = System.getProperty("morse.home");
        if (home == null || !Files.isRegularFile(Path.of(home, "pom.xml"))) {
            throw new UserException("gpu-setup resolves the jar with morse's pom.xml: run it as ./morse gpu-setup, or pass"
                    + " --jar FILE (" + CudaRedist.COORDINATES + ")");
        }
        Path list = Files.createTempFile("morse-cuda-redist", ".txt");
        try {
            List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-q", "-f", Path.of(home, "pom.xml").toString(),
                    "-P", "cuda-redist", "dependency:build-classpath", "-DincludeGroupIds=" + CudaRedist.GROUP,
                    "-DincludeArtifactIds=" + CudaRedist.ARTIFACT, "-DincludeClassifiers=" + CudaRedist.CLASSIFIER,
                    "-Dmdep.outputFile=" + list));
            out.println("resolving " + CudaRedist.COORDINATES + " with Maven (2.09 GB on first use: about half a"
                    + " minute on a fast link; Maven is quiet meanwhile)");
            out.flush();
            long t0 = System.nanoTime();
            Process p;
            try {
                p = new ProcessBuilder(cmd).inheritIO().start();
            } catch (IOException e) {
                throw new UserException("cannot run mvn (" + e.getMessage() + "): install Maven, or pass --jar FILE");
            }
            int rc = p.waitFor();
            String path = Files.readString(list, StandardCharsets.UTF_8).trim();
            if (rc != 0 || path.isEmpty() || path.contains(java.io.File.pathSeparator)) {
                throw new UserException("Maven could not resolve " + CudaRedist.COORDINATES + " (exit " + rc
                        + "; its output is above)");
            }
            out.printf(Locale.ROOT, "resolved in %.1f s: %s (%s)%n", secs(t0), path, gb(Files.size(Path.of(path))));
            return Path.of(path);
        } finally {
            Files.deleteIfExists(list);
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String gb(long b) {
        return String.format(Locale.ROOT, "%.2f GB", b / 1e9);
    }
}
