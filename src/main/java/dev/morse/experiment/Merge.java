package dev.morse.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins the results directories of the shards of one batch ({@code morse run --shard i/n})
 * into one: the same spec is required, records are keyed by (method, run), traces and the
 * analytic table are copied, and the report is rebuilt.
 */
public final class Merge {
    private Merge() {
    }

    /** Returns the number of records in the merged directory. */
    public static int merge(Path out, List<Path> shards) throws IOException {
        if (shards.isEmpty()) {
            throw new SpecException("merge", "name at least one shard directory");
        }
        String spec = null;
        Map<String, ObjectNode> records = new LinkedHashMap<>();
        Files.createDirectories(out.resolve("traces"));
        for (Path d : shards) {
            Path sp = d.resolve("spec.json");
            Path rp = d.resolve("runs.jsonl");
            if (!Files.exists(sp) || !Files.exists(rp)) {
                throw new SpecException("merge", d + " is not a results directory (spec.json and runs.jsonl expected)");
            }
            String s = Files.readString(sp, StandardCharsets.UTF_8).trim();
            if (spec == null) {
                spec = s;
            } else if (!spec.equals(s)) {
                throw new SpecException("merge", d + " was run from a different spec than " + shards.get(0));
            }
            for (ObjectNode r : RunsFile.read(rp)) {
                String key = r.path("method").asText() + "#" + r.path("run").asInt();
                if (!records.containsKey(key)) {
                    records.put(key, r);
                    String tf = r.path("trace").asText("");
                    if (!tf.isEmpty() && Files.exists(d.resolve(tf))) {
                        Files.copy(d.resolve(tf), out.resolve(tf), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            for (String fixed : new String[] {"analytic.csv"}) {
                if (Files.exists(d.resolve(fixed)) && !Files.exists(out.resolve(fixed))) {
                    Files.copy(d.resolve(fixed), out.resolve(fixed));
                }
            }
        }
        RunsFile.writeAtomically(out.resolve("spec.json"), spec + "\n");
        List<ObjectNode> sorted = new ArrayList<>(records.values());
        StringBuilder sb = new StringBuilder();
        for (ObjectNode r : sorted) {
            sb.append(RunsFile.JSON.writeValueAsString(r)).append('\n');
        }
        RunsFile.writeAtomically(out.resolve("runs.jsonl"), sb.toString());
        Report.rebuild(out);
        return sorted.size();
    }
}
