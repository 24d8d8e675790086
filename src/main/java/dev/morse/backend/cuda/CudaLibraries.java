package dev.morse.backend.cuda;

import dev.morse.backend.cuda.CudaRedist.Family;
import dev.morse.backend.cuda.CudaRedist.Library;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Makes the CUDA 11.x runtime libraries loadable for JCuda before JCuda loads its natives.
 *
 * <p>JCuda's natives (libJCublas2, libJCusolver, libJNvrtc) name libcublas.so.11 etc. as
 * NEEDED; the dynamic linker resolves those against the libraries already in the process by
 * soname before it searches any path. So morse loads the libraries itself, with
 * {@link System#load} by absolute path, in dependency order (a library after everything it
 * needs), and JCuda's natives then link against them. Tried both ways (docs/GPU.md): this
 * and LD_LIBRARY_PATH pointing at the cache work alike; only this works in any JVM (tests, a
 * user's own program), so {@code ./morse} sets no loader path.
 *
 * <p>A user's own installation wins: for each family (cuBLAS, cuSOLVER, NVRTC), if the
 * system provides the libraries JCuda links (its roots), where the dynamic linker would look
 * for them from JCuda's natives (LD_LIBRARY_PATH, then their RUNPATH /usr/local/cuda/lib64,
 * then the ld.so cache, then the default directories), the whole family comes from the
 * system; otherwise from the morse cache that {@code morse gpu-setup} fills. Done once per JVM.
 */
public final class CudaLibraries {
    /** Where a library comes from. */
    public enum Source { SYSTEM, MORSE_CACHE, MISSING }

    /** The decision for one library: source, file (null if none) and how it was found. */
    public record Resolution(Library library, Source source, Path path, String where) {
    }

    /** The outcome of {@link #load()}: each library's resolution and the load errors (soname → one line). */
    public record Status(Path cacheDir, List<String> cacheProblems, List<Resolution> resolutions,
                         Map<String, String> loadErrors) {
        /** The resolution of a soname. */
        public Resolution of(String soname) {
            return resolutions.stream().filter(r -> r.library().soname().equals(soname)).findFirst().orElseThrow();
        }
    }

    /** JCuda's natives carry this RUNPATH (readelf -d of libJCublas2 / libJCusolver / libJNvrtc 11.7.0). */
    static final Path JCUDA_RUNPATH = Path.of("/usr/local/cuda/lib64");
    /** Directories the dynamic linker searches last (glibc on x86_64, with Debian's multiarch directories). */
    static final List<Path> DEFAULT_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"), Path.of("/usr/lib"));

    private static Status status;

    private CudaLibraries() {
    }

    /**
     * The libraries in an order that loads each after every library it needs (stable: table
     * order otherwise). Throws IllegalArgumentException on a need outside the list or a cycle.
     */
    static List<Library> loadOrder(List<Library> libs) {
        Map<String, Library> bySoname = new LinkedHashMap<>();
        for (Library l : libs) {
            bySoname.put(l.soname(), l);
        }
        List<Library> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        Set<String> visiting = new HashSet<>();
        for (Library l : libs) {
            visit(l, bySoname, done, visiting, order);
        }
        return order;
    }

    private static void visit(Library l, Map<String, Library> bySoname, Set<String> done, Set<String> visiting,
                              List<Library> order) {
        if (done.contains(l.soname())) {
            return;
        }
        if (!visiting.add(l.soname())) {
            throw new IllegalArgumentException("libraries need each other in a cycle through " + l.soname());
        }
        for (String need : l.needs()) {
            Library n = bySoname.get(need);
            if (n == null) {
                throw new IllegalArgumentException(l.soname() + " needs " + need + ", which is not in the table");
            }
            visit(n, bySoname, done, visiting, order);
        }
        visiting.remove(l.soname());
        done.add(l.soname());
        order.add(l);
    }

    /** The libraries of a family that JCuda's natives link directly: those no other member needs. */
    static List<Library> roots(List<Library> libs, Family f) {
        Set<String> needed = new HashSet<>();
        for (Library l : libs) {
            if (l.family() == f) {
                needed.addAll(l.needs());
            }
        }
        return libs.stream().filter(l -> l.family() == f && !needed.contains(l.soname())).toList();
    }

    /** The dynamic linker's search for a NEEDED entry of JCuda's natives, as directories and the ld.so cache. */
    public record SystemSearch(List<Path> ldLibraryPath, Path runpath, Map<String, Path> ldCache, List<Path> defaults) {
        /** This process's search: LD_LIBRARY_PATH, JCuda's RUNPATH, {@code ldconfig -p}, the default directories. */
        public static SystemSearch ofThisProcess() {
            List<Path> ld = new ArrayList<>();
            String env = System.getenv("LD_LIBRARY_PATH");
            if (env != null) {
                for (String d : env.split(":")) {
                    if (!d.isBlank()) {
                        ld.add(Path.of(d));
                    }
                }
            }
            return new SystemSearch(ld, JCUDA_RUNPATH, ldconfigCache(), DEFAULT_DIRS);
        }

        /** The file the linker would load for a soname, and how it was found; null if none. */
        public Resolution find(Library lib) {
            for (Path d : ldLibraryPath) {
                if (Files.isRegularFile(d.resolve(lib.soname()))) {
                    return new Resolution(lib, Source.SYSTEM, d.resolve(lib.soname()), "LD_LIBRARY_PATH");
                }
            }
            if (runpath != null && Files.isRegularFile(runpath.resolve(lib.soname()))) {
                return new Resolution(lib, Source.SYSTEM, runpath.resolve(lib.soname()), "JCuda's RUNPATH");
            }
            Path cached = ldCache.get(lib.soname());
            if (cached != null && Files.isRegularFile(cached)) {
                return new Resolution(lib, Source.SYSTEM, cached, "ld.so cache");
            }
            for (Path d : defaults) {
                if (Files.isRegularFile(d.resolve(lib.soname()))) {
                    return new Resolution(lib, Source.SYSTEM, d.resolve(lib.soname()), "default directory");
                }
            }
            return null;
        }
    }

    /**
     * Each library's source: a family whose roots the system provides comes from the system
     * (members the system lacks are left to the linker: the system's root loads its own),
     * any other family from the morse cache if that passed its check, else it is missing.
     */
    public static List<Resolution> plan(List<Library> libs, SystemSearch system, Path cacheDir, boolean cacheOk) {
        Set<Family> fromSystem = EnumSet.noneOf(Family.class);
        for (Family f : Family.values()) {
            List<Library> roots = roots(libs, f);
            if (!roots.isEmpty() && roots.stream().allMatch(r -> system.find(r) != null)) {
                fromSystem.add(f);
            }
        }
        List<Resolution> out = new ArrayList<>();
        for (Library l : loadOrder(libs)) {
            if (fromSystem.contains(l.family())) {
                Resolution r = system.find(l);
                out.add(r != null ? r : new Resolution(l, Source.SYSTEM, null, "not on the system: left to the system's "
                        + roots(libs, l.family()).get(0).soname()));
            } else if (cacheOk) {
                out.add(new Resolution(l, Source.MORSE_CACHE, cacheDir.resolve(l.soname()), "morse cache"));
            } else {
                out.add(new Resolution(l, Source.MISSING, null, "not on the system and not in the morse cache"));
            }
        }
        return out;
    }

    /**
     * Resolves and loads the libraries (once per JVM; later calls return the first outcome).
     * Never throws: failures are in the status, and JCuda then reports the missing library.
     */
    public static synchronized Status load() {
        if (status == null) {
            Path dir = CudaRedist.defaultCacheDir();
            List<String> problems = CudaRedist.quickCheck(dir, CudaRedist.LIBRARIES);
            List<Resolution> plan = plan(CudaRedist.LIBRARIES, SystemSearch.ofThisProcess(), dir, problems.isEmpty());
            Map<String, String> errors = new LinkedHashMap<>();
            for (Resolution r : plan) {
                if (r.path() == null) {
                    continue;
                }
                try {
                    System.load(r.path().toAbsolutePath().toString());
                } catch (UnsatisfiedLinkError | SecurityException e) {
                    errors.put(r.library().soname(), CudaProbe.oneLine(e));
                }
            }
            status = new Status(dir, problems, plan, errors);
        }
        return status;
    }

    /**
     * The file a library with this soname is mapped from in this process (from
     * /proc/self/maps: the loader's own record, symlinks resolved), or null if not mapped.
     */
    public static Path mappedFile(String soname) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8)) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                Path p = Path.of(line.substring(slash).trim());
                Path name = p.getFileName();
                if (name != null && name.toString().startsWith(soname)) {
                    return p;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null; // no /proc: not Linux
        }
        return null;
    }

    /** soname → path of the x86-64 entries of {@code ldconfig -p} (empty if ldconfig is absent). */
    static Map<String, Path> ldconfigCache() {
        Map<String, Path> m = new LinkedHashMap<>();
        for (String exe : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            if (!Files.isExecutable(Path.of(exe))) {
                continue;
            }
            try {
                Process p = new ProcessBuilder(exe, "-p").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                m.putAll(parseLdconfig(out));
            } catch (IOException e) {
                // no cache: the other places are still searched
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            break;
        }
        return m;
    }

    /** Parses {@code ldconfig -p} lines "\tlibx.so.1 (libc6,x86-64) => /path"; keeps the first x86-64 entry per soname. */
    static Map<String, Path> parseLdconfig(String out) {
        Map<String, Path> m = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            int arrow = line.indexOf(" => ");
            int paren = line.indexOf(" (");
            if (arrow < 0 || paren < 0 || paren > arrow || !line.substring(paren, arrow).contains("x86-64")) {
                continue;
            }
            m.putIfAbsent(line.substring(0, paren).trim(), Path.of(line.substring(arrow + 4).trim()));
        }
        return m;
    }
}
