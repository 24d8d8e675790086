package dev.morse.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Every check that can refuse a batch, run before anything is written or any expensive work
 * (data, start points, the analytic table) starts: {@link #CHECKS} is the one list of them.
 * A check only reads; it refuses with a one-line {@link SpecException} (exit 2). The batch
 * runs them once before creating its directory and again under the directory's lock.
 */
public final class Preflight {
    /** Which shard of how many a results directory holds. */
    public static final String SHARD_FILE = "shard.json";

    /** What is about to run, and where. */
    public record Request(Spec spec, Path out, boolean resume, int shardIndex, int shardCount) {
    }

    /** One check: returns normally or throws {@link SpecException}; never writes. */
    @FunctionalInterface
    public interface Check {
        void check(Request r);
    }

    /** The checks, in order. Add a new refusal here (and only here). */
    public static final List<Check> CHECKS = List.of(Preflight::outputUsable, Preflight::existingBatch,
            Preflight::recordsReadable);

    private Preflight() {
    }

    /** Runs every check. */
    public static void check(Request r) {
        for (Check c : CHECKS) {
            c.check(r);
        }
    }

    /** --out is a directory we can write, or can be created. */
    static void outputUsable(Request r) {
        Path out = r.out().toAbsolutePath().normalize();
        if (Files.exists(out)) {
            if (!Files.isDirectory(out)) {
                throw new SpecException("--out", out + " is a file, not a directory");
            }
            if (!Files.isWritable(out)) {
                throw new SpecException("--out", "cannot write in " + out + " (read-only file system or no "
                        + "permission)");
            }
            return;
        }
        Path p = out.getParent();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            throw new SpecException("--out", "cannot create " + out + ": no existing parent directory");
        }
        if (!Files.isDirectory(p)) {
            throw new SpecException("--out", "cannot create " + out + ": " + p + " is a file");
        }
        if (!Files.isWritable(p)) {
            throw new SpecException("--out", "cannot create " + out + ": " + p + " is not writable (read-only "
                    + "file system or no permission)");
        }
    }

    /** A directory holding a batch is continued only with --resume, and only with the same spec and shard. */
    static void existingBatch(Request r) {
        Path out = r.out();
        Path runs = out.resolve("runs.jsonl");
        Path spec = out.resolve("spec.json");
        boolean hasRuns = size(runs) > 0;
        boolean started = hasRuns || Files.exists(spec) || Files.exists(out.resolve("analytic.csv"));
        if (!started) {
            return;
        }
        if (!r.resume()) {
            throw new SpecException("--out", out + " already holds a batch (" + (hasRuns ? "runs.jsonl" : "spec.json")
                    + "); pass --resume to continue it, or choose another --out");
        }
        if (Files.exists(spec)) {
            String old = read(spec).trim();
            if (!old.equals(r.spec().canonical())) {
                throw new SpecException("--resume", out + " was started from a different spec (hash "
                        + Spec.sha256(old).substring(0, 12) + ", this one " + r.spec().hash().substring(0, 12)
                        + ", or with/without --quick); resume it with the same spec and flags, or choose another --out");
            }
        }
        Path shard = out.resolve(SHARD_FILE);
        if (Files.exists(shard)) {
            try {
                JsonNode s = RunsFile.JSON.readTree(read(shard));
                int i = s.path("index").asInt(1);
                int n = s.path("count").asInt(1);
                if (i != r.shardIndex() || n != r.shardCount()) {
                    throw new SpecException("--shard", out + " holds shard " + i + "/" + n + ", not "
                            + r.shardIndex() + "/" + r.shardCount() + "; resume it with --shard " + i + "/" + n);
                }
            } catch (IOException e) {
                throw new SpecException("--resume", shard + " is damaged (" + Outputs.cause(e) + ")");
            }
        }
    }

    /** runs.jsonl parses (a torn last line aside) and was written by this spec. */
    static void recordsReadable(Request r) {
        Path runs = r.out().resolve("runs.jsonl");
        if (!r.resume() || size(runs) == 0) {
            return;
        }
        try {
            for (ObjectNode rec : RunsFile.read(runs, null)) {
                String h = rec.path("spec_hash").asText("");
                if (!h.isEmpty() && !h.equals(r.spec().hash())) {
                    throw new SpecException("--resume", runs + " holds runs of a different spec (hash "
                            + h.substring(0, Math.min(12, h.length())) + ", this one "
                            + r.spec().hash().substring(0, 12) + "); resume it with the same spec and flags");
                }
            }
        } catch (IOException e) {
            throw new SpecException("--resume", "cannot read " + Outputs.cause(e));
        }
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            throw new SpecException("--out", "cannot read " + Outputs.cause(e));
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SpecException("--out", "cannot read " + Outputs.cause(e));
        }
    }
}
