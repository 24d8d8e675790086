package dev.morse.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Joins the results directories of the shards of one batch ({@code morse run --shard i/n})
 * into one, checked before anything is written: every shard ran the same spec (one hash) with
 * the same n; shards 1..n are all there and each holds all its runs (unless {@code partial});
 * a run found in two directories must have the same record (wall time aside); every file a
 * record names (trace, spectrum, θ, ...) exists and is carried over. An existing non-empty
 * {@code out} is refused unless it is a previous merge of the same shards. Shards and out are
 * locked ({@link ResultsLock}) while it reads and writes.
 */
public final class Merge {
    /** Written into the merged directory: what it was merged from. */
    public static final String MERGE_FILE = "merge.json";
    /** Record fields naming a per-run file that must exist. */
    static final List<String> ARTIFACT_FIELDS = List.of("trace", "spectrum", "theta");
    /** Files of a shard that are the same for the whole batch (must agree between shards). */
    static final List<String> SHARED_FILES = List.of("analytic.csv");
    /** Record fields that measure wall time, so may differ between two runs of the same job. */
    static final List<String> WALL_CLOCK = List.of("seconds", "hessian_costs");

    private Merge() {
    }

    /** What was merged. */
    public record Result(Path out, int runs, int expected, int directories, int shardCount, List<Integer> missingShards,
                         String specName, String specHash, Map<String, Integer> artifacts, List<String> sharedFiles,
                         String reportError) {
        /** The line printed by {@code morse merge}. */
        public String describe() {
            StringBuilder sb = new StringBuilder("merged " + runs + " of " + expected + " runs from " + directories
                    + " director" + (directories == 1 ? "y" : "ies") + " (shards of " + shardCount + ", spec "
                    + specName + " hash " + specHash + ")");
            if (!missingShards.isEmpty()) {
                sb.append(", partial: shard").append(missingShards.size() == 1 ? " " : "s ").append(missingShards)
                        .append(" missing");
            }
            sb.append("; copied");
            artifacts.forEach((k, v) -> sb.append(' ').append(v).append(' ').append(k).append(','));
            for (String f : sharedFiles) {
                sb.append(' ').append(f).append(',');
            }
            sb.setLength(sb.length() - 1);
            sb.append(" into ").append(out);
            return sb.toString();
        }
    }

    /** One shard directory as read. */
    private record Shard(Path dir, int index, int count, List<ObjectNode> records) {
    }

    /** Merges with every check on (no --partial), reporting nothing on the way. */
    public static Result merge(Path out, List<Path> shards) throws IOException {
        return merge(out, shards, false, null);
    }

    public static Result merge(Path out, List<Path> shardDirs, boolean partial, PrintStream progress)
            throws IOException {
        if (shardDirs.isEmpty()) {
            throw new SpecException("merge", "name at least one shard directory");
        }
        Path outAbs = out.toAbsolutePath().normalize();
        List<Path> dirs = new ArrayList<>();
        for (Path d : shardDirs) {
            Path a = d.toAbsolutePath().normalize();
            if (a.equals(outAbs)) {
                throw new SpecException("--out", out + " is one of the shards; merge into a new directory");
            }
            if (!Files.isDirectory(a) || !Files.exists(a.resolve("spec.json")) || !Files.exists(a.resolve("runs.jsonl"))) {
                throw new SpecException("merge", d + " is not a results directory (spec.json and runs.jsonl expected)");
            }
            if (!dirs.contains(a)) {
                dirs.add(a);
            }
        }
        checkOut(outAbs, dirs, null); // before anything is created
        List<ResultsLock> locks = new ArrayList<>();
        try {
            for (Path d : dirs) {
                locks.add(ResultsLock.acquire(d, "morse merge"));
            }
            return mergeLocked(outAbs, dirs, partial, progress, locks);
        } finally {
            for (ResultsLock l : locks) {
                l.close();
            }
        }
    }

    private static Result mergeLocked(Path out, List<Path> dirs, boolean partial, PrintStream progress,
                                      List<ResultsLock> locks) throws IOException {
        // one spec
        String canonical = read(dirs.get(0).resolve("spec.json")).trim();
        for (Path d : dirs) {
            if (!read(d.resolve("spec.json")).trim().equals(canonical)) {
                throw new SpecException("merge", d + " was run from a different spec than " + dirs.get(0)
                        + " (hash " + Spec.sha256(read(d.resolve("spec.json")).trim()) + " vs " + Spec.sha256(canonical)
                        + ")");
            }
        }
        String hash = Spec.sha256(canonical);
        Spec spec = Spec.parse(RunsFile.JSON.readTree(canonical), false);
        checkOut(out, dirs, hash);
        Map<String, Job> jobs = new HashMap<>();
        for (Job j : Runner.jobs(spec)) {
            jobs.put(j.method() + "#" + j.run(), j);
        }
        // one shard count, every record of this spec and its shard
        List<Shard> shards = new ArrayList<>();
        int count = -1;
        Path countFrom = null;
        Map<Path, int[]> shardOf = new HashMap<>();
        for (Path d : dirs) {
            int[] in = shardOf(d, partial);
            shardOf.put(d, in);
            if (in[0] == 0) {
                continue; // no shard.json (accepted with --partial)
            }
            if (count < 0) {
                count = in[1];
                countFrom = d;
            } else if (in[1] != count) {
                throw new SpecException("merge", d + " is shard " + in[0] + "/" + in[1] + " but " + countFrom
                        + " is of " + count + " shards; merge the shards of one sharding");
            }
        }
        count = Math.max(count, 1);
        for (Path d : dirs) {
            int[] in = shardOf.get(d);
            List<ObjectNode> recs = RunsFile.read(d.resolve("runs.jsonl"), progress);
            RunsFile.checkUnique(recs, d.resolve("runs.jsonl"));
            for (ObjectNode r : recs) {
                Job j = jobs.get(RunsFile.key(r));
                if (j == null) {
                    throw new SpecException("merge", d + " holds " + RunsFile.key(r) + ", which is not a run of spec "
                            + spec.name());
                }
                if (!r.path("spec_hash").asText(hash).equals(hash)) {
                    throw new SpecException("merge", d + ": " + RunsFile.key(r) + " was run from spec hash "
                            + r.path("spec_hash").asText() + ", the directory's spec.json has " + hash);
                }
                if (in[0] > 0 && j.ordinal() % count != in[0] - 1) {
                    throw new SpecException("merge", d + " is shard " + in[0] + "/" + count + " but holds "
                            + RunsFile.key(r) + ", a run of shard " + (j.ordinal() % count + 1));
                }
            }
            shards.add(new Shard(d, in[0], in[1], recs));
        }
        // the set 1..n, and each shard whole
        TreeSet<Integer> present = new TreeSet<>();
        for (Shard s : shards) {
            if (s.index() > 0) {
                present.add(s.index());
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            if (!present.contains(i)) {
                missing.add(i);
            }
        }
        if (!missing.isEmpty() && !partial) {
            throw new SpecException("merge", "shard" + (missing.size() == 1 ? " " : "s ") + missing + " of " + count
                    + " missing; name every shard directory, or pass --partial to merge these");
        }
        if (!partial) {
            for (Shard s : shards) {
                if (s.index() == 0) {
                    continue;
                }
                int expected = Runner.shard(Runner.jobs(spec), s.index(), count).size();
                if (s.records().size() < expected) {
                    throw new SpecException("merge", s.dir() + " (shard " + s.index() + "/" + count + ") holds "
                            + s.records().size() + " of its " + expected + " runs; finish it with morse run SPEC --shard "
                            + s.index() + "/" + count + " --out " + s.dir() + " --resume, or pass --partial");
                }
            }
        }
        // one record per run; duplicates must agree
        Map<String, ObjectNode> records = new HashMap<>();
        Map<String, Path> from = new HashMap<>();
        for (Shard s : shards) {
            for (ObjectNode r : s.records()) {
                String k = RunsFile.key(r);
                ObjectNode prev = records.get(k);
                if (prev == null) {
                    records.put(k, r);
                    from.put(k, s.dir());
                } else {
                    String diff = difference(prev, r);
                    if (diff != null) {
                        throw new SpecException("merge", k + " differs between " + from.get(k) + " and " + s.dir()
                                + " (" + diff + "); merge only one of them");
                    }
                }
            }
        }
        // every file a record names, and the shared files
        Map<String, Integer> artifacts = new TreeMap<>();
        List<Path[]> copies = new ArrayList<>();
        for (Map.Entry<String, ObjectNode> e : records.entrySet()) {
            Path d = from.get(e.getKey());
            for (Iterator<Map.Entry<String, JsonNode>> it = e.getValue().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getValue().isTextual()) {
                    continue;
                }
                String rel = f.getValue().asText();
                Path src = d.resolve(rel).normalize();
                boolean named = ARTIFACT_FIELDS.contains(f.getKey());
                boolean file = rel.contains("/") && src.startsWith(d) && Files.isRegularFile(src);
                if (named && !file) {
                    throw new SpecException("merge", d + ": " + e.getKey() + " names " + f.getKey() + " " + rel
                            + ", which is missing; rerun that shard (morse repair moves a bad record aside)");
                }
                if (file) {
                    copies.add(new Path[] {src, out.resolve(d.relativize(src))});
                    artifacts.merge(rel.substring(0, rel.indexOf('/')), 1, Integer::sum);
                }
            }
        }
        List<String> shared = new ArrayList<>();
        for (String name : SHARED_FILES) {
            Path first = null;
            for (Path d : dirs) {
                Path p = d.resolve(name);
                if (!Files.exists(p)) {
                    continue;
                }
                if (first == null) {
                    first = p;
                } else if (!Arrays.equals(Files.readAllBytes(first), Files.readAllBytes(p))) {
                    throw new SpecException("merge", name + " differs between " + first.getParent() + " and " + d);
                }
            }
            if (first != null) {
                copies.add(new Path[] {first, out.resolve(name)});
                shared.add(name);
            }
        }
        // write: files first, runs.jsonl last (a merge killed half-way is redone by running it again)
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new SpecException("--out", "cannot create " + out + ": " + Outputs.cause(e));
        }
        locks.add(ResultsLock.acquire(out, "morse merge"));
        checkOut(out, dirs, hash); // again, under the lock
        for (Path[] c : copies) {
            Files.createDirectories(c[1].getParent());
            Path tmp = c[1].resolveSibling(c[1].getFileName() + ".tmp");
            Outputs.beforeWrite(c[1]);
            Files.copy(c[0], tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, c[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        RunsFile.writeAtomically(out.resolve("spec.json"), canonical + "\n");
        RunsFile.writeAtomically(out.resolve(Preflight.SHARD_FILE), "{\"index\": 1, \"count\": 1}\n");
        ObjectNode m = RunsFile.JSON.createObjectNode();
        m.put("spec_hash", hash);
        m.put("shard_count", count);
        ArrayNode sa = m.putArray("shards");
        dirs.forEach(d -> sa.add(d.toString()));
        m.put("partial", !missing.isEmpty());
        m.put("runs", records.size());
        RunsFile.writeAtomically(out.resolve(MERGE_FILE), m.toPrettyString() + "\n");
        List<ObjectNode> sorted = new ArrayList<>(records.values());
        sorted.sort((a, b) -> Integer.compare(jobs.get(RunsFile.key(a)).ordinal(), jobs.get(RunsFile.key(b)).ordinal()));
        StringBuilder sb = new StringBuilder();
        for (ObjectNode r : sorted) {
            sb.append(RunsFile.JSON.writeValueAsString(r)).append('\n');
        }
        RunsFile.writeAtomically(out.resolve("runs.jsonl"), sb.toString());
        String reportError = Batch.rebuildReport(out, progress);
        return new Result(out, sorted.size(), spec.totalRuns(), dirs.size(), count, missing, spec.name(), hash,
                artifacts, shared, reportError);
    }

    /**
     * An existing non-empty out is refused unless its merge.json says it is a previous merge
     * of the same shard directories, or of some of them (a --partial merge being completed),
     * with the same spec hash.
     */
    private static void checkOut(Path out, List<Path> dirs, String hash) throws IOException {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new SpecException("--out", out + " is a file, not a directory");
        }
        boolean empty;
        try (var s = Files.list(out)) {
            empty = s.allMatch(p -> p.getFileName().toString().equals(ResultsLock.FILE));
        }
        if (empty) {
            return;
        }
        Path mf = out.resolve(MERGE_FILE);
        if (Files.exists(mf)) {
            JsonNode m = RunsFile.JSON.readTree(read(mf));
            List<String> were = new ArrayList<>();
            m.path("shards").forEach(x -> were.add(x.asText()));
            List<String> now = dirs.stream().map(Path::toString).toList();
            if (!were.isEmpty() && now.containsAll(were) // e.g. a --partial merge, now completed
                    && (hash == null || m.path("spec_hash").asText().equals(hash))) {
                return;
            }
        }
        throw new SpecException("--out", out + " is not empty and not a previous merge of these shard directories; "
                + "merge into a new (or empty) directory");
    }

    /** Which shard {index, count} a directory holds; {0, 0} when it does not say (refused unless partial). */
    private static int[] shardOf(Path d, boolean partial) throws IOException {
        Path sf = d.resolve(Preflight.SHARD_FILE);
        if (!Files.exists(sf)) {
            if (partial) {
                return new int[] {0, 0};
            }
            throw new SpecException("merge", d + " has no " + Preflight.SHARD_FILE + " (it was run by an older morse), "
                    + "so its shard is unknown; pass --partial to merge it unchecked");
        }
        JsonNode s = RunsFile.JSON.readTree(read(sf));
        return new int[] {s.path("index").asInt(1), s.path("count").asInt(1)};
    }

    /** The first field (wall time aside) in which two records of one run differ, or null. */
    static String difference(ObjectNode a, ObjectNode b) {
        TreeSet<String> keys = new TreeSet<>();
        a.fieldNames().forEachRemaining(keys::add);
        b.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            if (!WALL_CLOCK.contains(k) && !Objects.equals(a.get(k), b.get(k))) {
                return k + ": " + a.get(k) + " vs " + b.get(k);
            }
        }
        return null;
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
