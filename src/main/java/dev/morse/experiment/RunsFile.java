package dev.morse.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The append-only {@code runs.jsonl} of a results directory: one JSON object per finished
 * run, each written with a single write and forced to disk before the run counts as done.
 * A process killed mid-write leaves at most one torn last line (no newline), which readers
 * drop with a warning; any other unreadable line is damage, reported with its line number
 * and {@code morse repair DIR}, which moves bad lines to {@value #BAD} (nothing is deleted).
 */
public final class RunsFile implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Where torn, unreadable and duplicate lines are moved, verbatim. */
    public static final String BAD = "runs.bad.jsonl";

    private final Path path;
    private final FileChannel ch;
    private boolean shut;
    /** Records appended through this handle (all of them on disk). */
    private int appended;

    private RunsFile(Path path, FileChannel ch) {
        this.path = path;
        this.ch = ch;
    }

    /** Opens for appending (creating the file). */
    public static RunsFile open(Path path) throws IOException {
        Outputs.beforeWrite(path);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return new RunsFile(path, ch);
    }

    /**
     * Appends one record and forces it to disk. A write that fails part-way is cut back off,
     * so the file stays whole.
     */
    public synchronized void append(ObjectNode record) throws IOException {
        if (shut) {
            throw new IOException(path + ": the batch is stopping");
        }
        byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
        long before = ch.size();
        try {
            Outputs.beforeWrite(path);
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
            appended++;
        } catch (IOException e) {
            try {
                ch.truncate(before);
                ch.force(true);
            } catch (IOException ignored) {
                // a torn last line is what readers expect after a failed write
            }
            throw e;
        }
    }

    /**
     * Refuses further appends once a record being written is on disk (for a shutdown hook);
     * returns how many records were appended through this handle.
     */
    synchronized int shut() {
        shut = true;
        return appended;
    }

    public Path path() {
        return path;
    }

    @Override
    public synchronized void close() throws IOException {
        ch.close();
    }

    /** One line of a runs.jsonl: its number, its text, and the record when it is one. */
    private record Line(int number, String text, ObjectNode record, boolean torn) {
    }

    private static List<Line> lines(Path path) throws IOException {
        List<Line> out = new ArrayList<>();
        if (!Files.exists(path)) {
            return out;
        }
        String all = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        int start = 0;
        int no = 0;
        while (start < all.length()) {
            int nl = all.indexOf('\n', start);
            boolean torn = nl < 0;
            String text = all.substring(start, torn ? all.length() : nl);
            no++;
            start = torn ? all.length() : nl + 1;
            if (text.isBlank() && !torn) {
                continue;
            }
            out.add(new Line(no, text, torn ? null : parse(text), torn));
        }
        return out;
    }

    /** The record on a line, or null when the line is not one (not JSON, not an object, no method and run). */
    private static ObjectNode parse(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            if (n != null && n.isObject() && n.path("method").isTextual() && n.path("run").isInt()) {
                return (ObjectNode) n;
            }
        } catch (IOException e) {
            // not JSON: reported by the caller with its line number
        }
        return null;
    }

    private static String repairHint(Path path) {
        Path dir = path.toAbsolutePath().getParent();
        return "run `morse repair " + dir + "` to move the bad lines to " + BAD + " and keep the rest";
    }

    /**
     * All records of a runs.jsonl. A torn last line is dropped with a warning on {@code warn}
     * (the file is not changed); any other bad line stops with its number and the repair command.
     */
    public static List<ObjectNode> read(Path path, PrintStream warn) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (Line l : lines(path)) {
            if (l.torn()) {
                if (warn != null) {
                    warn.println("warning: " + path + ": ignoring a torn last line (" + l.text().length()
                            + " characters, a write cut off by a kill)");
                }
                continue;
            }
            if (l.record() == null) {
                throw new SpecException("", path + " line " + l.number() + " is not a run record ("
                        + preview(l.text()) + "); " + repairHint(path));
            }
            out.add(l.record());
        }
        return out;
    }

    /** {@link #read(Path, PrintStream)} with warnings on stderr. */
    public static List<ObjectNode> read(Path path) throws IOException {
        return read(path, System.err);
    }

    private static String preview(String text) {
        String t = text.strip();
        return t.isEmpty() ? "an empty line" : "starts '" + (t.length() > 40 ? t.substring(0, 40) + "…" : t) + "'";
    }

    /**
     * Reads the records of a batch that may have been killed, for a writer holding the lock:
     * a torn last line is moved to {@value #BAD} with a warning; any other bad line stops.
     */
    public static List<ObjectNode> readForResume(Path path, PrintStream warn) throws IOException {
        List<Line> lines = lines(path);
        if (!lines.isEmpty() && lines.get(lines.size() - 1).torn()) {
            Line t = lines.get(lines.size() - 1);
            appendBad(path, List.of(t.text()));
            byte[] all = Files.readAllBytes(path);
            int end = all.length;
            while (end > 0 && all[end - 1] != '\n') {
                end--;
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.truncate(end);
                ch.force(true);
            }
            (warn != null ? warn : System.err).println("warning: " + path + ": moved a torn last line (a write cut "
                    + "off by a kill) to " + BAD + "; its run will be run again");
        }
        return read(path, warn);
    }

    /** {@link #readForResume(Path, PrintStream)} with warnings on stderr. */
    public static List<ObjectNode> readForResume(Path path) throws IOException {
        return readForResume(path, System.err);
    }

    /** The key of a record: "method#run". */
    static String key(JsonNode r) {
        return r.path("method").asText() + "#" + r.path("run").asInt();
    }

    /** Stops when two records are of the same run (a folder written by two processes at once). */
    static void checkUnique(List<ObjectNode> records, Path path) {
        Map<String, Integer> seen = new HashMap<>();
        int dups = 0;
        String first = null;
        for (ObjectNode r : records) {
            if (seen.merge(key(r), 1, Integer::sum) > 1) {
                dups++;
                if (first == null) {
                    first = key(r);
                }
            }
        }
        if (dups > 0) {
            throw new SpecException("", path + " holds " + dups + " duplicate record" + (dups == 1 ? "" : "s")
                    + " (first: " + first + "), written by two processes at once; " + repairHint(path));
        }
    }

    /** What {@link #repair} did. */
    public record Repair(int kept, int torn, int unreadable, int duplicates) {
        public int moved() {
            return torn + unreadable + duplicates;
        }
    }

    /**
     * Moves every torn, unreadable or duplicate line (a later record of a run already recorded)
     * of {@code dir/runs.jsonl} to {@value #BAD}, verbatim, and keeps the rest in order. The
     * side file is written and forced before runs.jsonl is replaced, so no line is ever lost.
     */
    public static Repair repair(Path dir) throws IOException {
        Path path = dir.resolve("runs.jsonl");
        if (!Files.exists(path)) {
            throw new SpecException("", dir + " is not a results directory (no runs.jsonl)");
        }
        List<String> bad = new ArrayList<>();
        StringBuilder keep = new StringBuilder();
        java.util.Set<String> seen = new java.util.HashSet<>();
        int kept = 0;
        int torn = 0;
        int unreadable = 0;
        int dups = 0;
        for (Line l : lines(path)) {
            if (l.torn()) {
                torn++;
                bad.add(l.text());
            } else if (l.record() == null) {
                unreadable++;
                bad.add(l.text());
            } else if (!seen.add(key(l.record()))) {
                dups++;
                bad.add(l.text());
            } else {
                kept++;
                keep.append(l.text()).append('\n');
            }
        }
        if (!bad.isEmpty()) {
            appendBad(path, bad);
            writeAtomically(path, keep.toString());
        }
        return new Repair(kept, torn, unreadable, dups);
    }

    private static void appendBad(Path runs, List<String> lines) throws IOException {
        Path side = runs.resolveSibling(BAD);
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        Outputs.beforeWrite(side);
        try (FileChannel ch = FileChannel.open(side, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Writes a file atomically (temp file + rename), so readers never see half of it. */
    public static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Outputs.beforeWrite(target);
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the first failure is the one to report
            }
            throw e;
        }
    }
}
