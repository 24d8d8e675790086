package dev.morse.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A suite file lists specs to run one after another, each into its own subdirectory:
 * <pre>
 * name: quickstart
 * suite:
 *   - {spec: e4-quartic.yaml, quick: true}
 * </pre>
 * Paths are relative to the suite file.
 */
public final class Suite {
    /** One member: its spec file and whether to run it at its quick size. */
    public record Entry(Path spec, boolean quick) {
    }

    private Suite() {
    }

    public static boolean isSuite(Path file) {
        JsonNode n = SpecFile.read(file); // a file that cannot be read is refused here, with its line and column
        return n != null && n.isObject() && n.has("suite");
    }

    public static List<Entry> load(Path file) {
        JsonNode root = SpecFile.read(file);
        SpecNode s = new SpecNode(root, "");
        s.str("name", null);
        s.str("description", "");
        List<Entry> out = new ArrayList<>();
        Path base = file.toAbsolutePath().getParent();
        for (SpecNode e : s.objects("suite")) {
            Path p = base.resolve(e.str("spec", null));
            if (!Files.exists(p)) {
                throw new SpecException(e.at("spec"), "no such spec file: " + p);
            }
            out.add(new Entry(p, e.bool("quick", false)));
            e.done();
        }
        s.done();
        if (out.isEmpty()) {
            throw new SpecException("suite", "lists no specs");
        }
        return out;
    }
}
