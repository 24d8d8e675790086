package dev.morse.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Why runs failed, counted per method: by the solver's stop reason when the run reached one
 * (e.g. {@code non_finite}), else by what ended it (an exception's class). For summary.md and
 * the one line on stderr at the end of a batch.
 */
public final class FailureCounts {
    private FailureCounts() {
    }

    /** The reason a failed record is counted under. */
    static String reason(JsonNode r) {
        String stop = r.path("stop").asText("");
        if (!stop.isEmpty()) {
            return "stop " + stop;
        }
        String why = r.path("reason").asText("unknown");
        int colon = why.indexOf(':');
        return colon > 0 ? why.substring(0, colon) : why;
    }

    /** method → reason → count, over the failed records. */
    static Map<String, Map<String, Integer>> count(List<ObjectNode> runs) {
        Map<String, Map<String, Integer>> by = new LinkedHashMap<>();
        for (ObjectNode r : runs) {
            if (r.path("status").asText().equals(RunResult.FAILED)) {
                by.computeIfAbsent(r.path("method").asText(), k -> new TreeMap<>()).merge(reason(r), 1, Integer::sum);
            }
        }
        return by;
    }

    /** The summary.md section ("" when no run failed). */
    static String section(List<ObjectNode> runs) {
        Map<String, Map<String, Integer>> by = count(runs);
        if (by.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\n## Failed runs\n\nEach failed run under the solver's stop reason "
                + "(or, when it threw, the exception); the full reason is in runs.jsonl.\n\n| method | reason | runs |\n"
                + "|---|---|---:|\n");
        by.forEach((m, reasons) -> reasons.forEach((why, k) -> sb.append("| ").append(m).append(" | ").append(why)
                .append(" | ").append(k).append(" |\n")));
        return sb.toString();
    }

    /** "failed: newton-mr 3 (stop non_finite 2, IllegalStateException 1)", or null when none failed. */
    public static String line(List<ObjectNode> runs) {
        Map<String, Map<String, Integer>> by = count(runs);
        if (by.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder("failed runs:");
        by.forEach((m, reasons) -> {
            int total = reasons.values().stream().mapToInt(Integer::intValue).sum();
            sb.append(' ').append(m).append(' ').append(total).append(" (");
            StringBuilder parts = new StringBuilder();
            reasons.forEach((why, k) -> parts.append(parts.length() > 0 ? ", " : "").append(why).append(' ').append(k));
            sb.append(parts).append(");");
        });
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }
}
