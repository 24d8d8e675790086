package dev.morse.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The append-only {@code runs.jsonl} of a results directory: one JSON object per finished
 * run, each written with a single write and forced to disk before the run counts as done.
 * A process killed mid-write leaves at most one torn last line, which {@link #readForResume}
 * cuts off; any other unreadable line is corruption and is reported.
 */
public final class RunsFile implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel ch;

    private RunsFile(Path path, FileChannel ch) {
        this.path = path;
        this.ch = ch;
    }

    /** Opens for appending (creating the file). */
    public static RunsFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return new RunsFile(path, ch);
    }

    /** Appends one record and forces it to disk. */
    public synchronized void append(ObjectNode record) throws IOException {
        byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(line);
        while (b.hasRemaining()) {
            ch.write(b);
        }
        ch.force(true);
    }

    public Path path() {
        return path;
    }

    @Override
    public synchronized void close() throws IOException {
        ch.close();
    }

    /** All records of a runs.jsonl (must be intact). */
    public static List<ObjectNode> read(Path path) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        if (!Files.exists(path)) {
            return out;
        }
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank()) {
                continue;
            }
            out.add(parse(l, path, i + 1));
        }
        return out;
    }

    private static ObjectNode parse(String line, Path path, int lineNo) {
        try {
            JsonNode n = JSON.readTree(line);
            if (n == null || !n.isObject()) {
                throw new IOException("not an object");
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw new SpecException("", path + " line " + lineNo + " is not a JSON record (" + e.getMessage()
                    .lines().findFirst().orElse("") + ")");
        }
    }

    /**
     * Reads the records of a batch that may have been killed: a last line without its newline
     * (a write that did not complete) is removed from the file; everything before it must parse.
     */
    public static List<ObjectNode> readForResume(Path path) throws IOException {
        if (!Files.exists(path)) {
            return new ArrayList<>();
        }
        byte[] all = Files.readAllBytes(path);
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n') {
            end--;
        }
        if (end != all.length) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.truncate(end);
                ch.force(true);
            }
        }
        return read(path);
    }

    /** Writes a file atomically (temp file + rename), so readers never see half of it. */
    public static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
