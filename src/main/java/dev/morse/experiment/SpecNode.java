package dev.morse.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A validating view of one object of a spec: every read names its key, checks type and
 * range, and {@link #done()} rejects any key that was not read (with a did-you-mean hint).
 * Errors carry the dotted path of the field (e.g. {@code methods[1].rtol}).
 */
final class SpecNode {
    private final JsonNode node;
    private final String path;
    private final Set<String> known = new LinkedHashSet<>();

    SpecNode(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new SpecException(path, "expected an object (key: value pairs), got " + kind(node));
        }
        this.node = node;
        this.path = path;
    }

    static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        if (n.isNull()) {
            return "null";
        }
        if (n.isObject()) {
            return "an object";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isBoolean()) {
            return "a boolean (" + n.asText() + ")";
        }
        if (n.isNumber()) {
            return "a number (" + n.asText() + ")";
        }
        return "a string (\"" + n.asText() + "\")";
    }

    String path() {
        return path;
    }

    String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        known.add(key);
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    private JsonNode get(String key) {
        known.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    String str(String key, String def, String... allowed) {
        JsonNode v = get(key);
        if (v == null) {
            if (def == null) {
                throw new SpecException(at(key), "missing (expected " + describe(allowed, "a string") + ")");
            }
            return def;
        }
        if (!v.isTextual()) {
            throw new SpecException(at(key), "expected " + describe(allowed, "a string") + ", got " + kind(v));
        }
        String s = v.asText();
        if (allowed.length > 0 && !List.of(allowed).contains(s)) {
            throw new SpecException(at(key), "expected " + describe(allowed, "") + ", got \"" + s + "\""
                    + hint(s, List.of(allowed)));
        }
        return s;
    }

    /**
     * A string, or a non-empty list of strings, each one of {@code allowed} (when given); a
     * string is returned as a list of one.
     */
    List<String> strings(String key, String def, String... allowed) {
        JsonNode v = get(key);
        if (v == null || v.isTextual()) {
            return List.of(str(key, def, allowed));
        }
        if (!v.isArray() || v.size() == 0) {
            throw new SpecException(at(key), "expected " + describe(allowed, "a string") + ", or a list of them, got "
                    + kind(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual() || (allowed.length > 0 && !List.of(allowed).contains(e.asText()))) {
                throw new SpecException(at(key) + "[" + i + "]", "expected " + describe(allowed, "a string") + ", got "
                        + kind(e) + (e.isTextual() ? hint(e.asText(), List.of(allowed)) : ""));
            }
            out.add(e.asText());
        }
        return out;
    }

    /** True when the key holds an object (key: value pairs). */
    boolean isObject(String key) {
        JsonNode v = get(key);
        return v != null && v.isObject();
    }

    /**
     * One of an enum's constants, by its spec word ({@link #word}); {@code def} null: required.
     * The words (and the error's list of them) come from the enum, so they cannot drift.
     */
    <E extends Enum<E>> E choice(String key, E def, Class<E> type) {
        E[] all = type.getEnumConstants();
        String[] words = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            words[i] = word(all[i]);
        }
        String s = str(key, def == null ? null : word(def), words);
        for (E e : all) {
            if (word(e).equals(s)) {
                return e;
            }
        }
        throw new IllegalStateException(s); // str accepted only the words above
    }

    /** An enum constant's spec word: its name in lower case, '_' written '-' (MATRIX_FREE: matrix-free). */
    static String word(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** {@code v} (already read from {@code key}) if it is below {@code limit}; else the key's error. */
    double below(String key, double v, double limit) {
        if (!(v < limit)) {
            throw new SpecException(at(key), "must be below " + limit + ", got " + v);
        }
        return v;
    }

    private static String describe(String[] allowed, String fallback) {
        if (allowed.length == 0) {
            return fallback;
        }
        return "one of " + String.join(", ", allowed);
    }

    long integer(String key, Long def, long min, long max) {
        JsonNode v = get(key);
        if (v == null) {
            if (def == null) {
                throw new SpecException(at(key), "missing (expected an integer in [" + min + ", " + max + "])");
            }
            return def;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw new SpecException(at(key), "expected an integer, got " + kind(v));
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw new SpecException(at(key), "must be in [" + min + ", " + max + "], got " + x);
        }
        return x;
    }

    /** An integer in [min, max], or the word "auto" (and absence) as {@code auto}. */
    int integerOrAuto(String key, int auto, int min, int max) {
        JsonNode v = get(key);
        if (v == null) {
            return auto;
        }
        if (v.isTextual()) {
            if (!v.asText().equals("auto")) {
                throw new SpecException(at(key), "expected auto or an integer in [" + min + ", " + max + "], got \""
                        + v.asText() + "\"");
            }
            return auto;
        }
        return integer(key, auto, min, max);
    }

    int integer(String key, Integer def, int min, int max) {
        return (int) integer(key, def == null ? null : (long) def, (long) min, (long) max);
    }

    double number(String key, Double def, double min, double max, boolean minOpen) {
        JsonNode v = get(key);
        if (v == null) {
            if (def == null) {
                throw new SpecException(at(key), "missing (expected a number)");
            }
            return def;
        }
        if (!v.isNumber()) {
            throw new SpecException(at(key), "expected a number, got " + kind(v));
        }
        double x = v.asDouble();
        if (!Double.isFinite(x) || x < min || x > max || (minOpen && x == min)) {
            throw new SpecException(at(key), "must be in " + (minOpen ? "(" : "[") + min + ", " + max + "], got " + x);
        }
        return x;
    }

    boolean bool(String key, boolean def) {
        JsonNode v = get(key);
        if (v == null) {
            return def;
        }
        if (!v.isBoolean()) {
            throw new SpecException(at(key), "expected true or false, got " + kind(v));
        }
        return v.asBoolean();
    }

    SpecNode obj(String key) {
        JsonNode v = get(key);
        return v == null ? null : new SpecNode(v, at(key));
    }

    SpecNode objOrEmpty(String key) {
        JsonNode v = get(key);
        return new SpecNode(v == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : v,
                at(key));
    }

    List<SpecNode> objects(String key) {
        JsonNode v = get(key);
        if (v == null) {
            throw new SpecException(at(key), "missing (expected a list of objects)");
        }
        if (!v.isArray()) {
            throw new SpecException(at(key), "expected a list, got " + kind(v));
        }
        List<SpecNode> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(new SpecNode(v.get(i), at(key) + "[" + i + "]"));
        }
        return out;
    }

    int[] ints(String key, int[] def, int min, int max) {
        JsonNode v = get(key);
        if (v == null) {
            if (def == null) {
                throw new SpecException(at(key), "missing (expected a list of integers)");
            }
            return def;
        }
        if (!v.isArray()) {
            throw new SpecException(at(key), "expected a list of integers, got " + kind(v));
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || e.asLong() < min || e.asLong() > max) {
                throw new SpecException(at(key) + "[" + i + "]", "expected an integer in [" + min + ", " + max
                        + "], got " + kind(e));
            }
            out[i] = e.asInt();
        }
        return out;
    }

    double[] numbers(String key, double[] def) {
        JsonNode v = get(key);
        if (v == null) {
            if (def == null) {
                throw new SpecException(at(key), "missing (expected a list of numbers)");
            }
            return def;
        }
        if (!v.isArray()) {
            throw new SpecException(at(key), "expected a list of numbers, got " + kind(v));
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isNumber() || !Double.isFinite(e.asDouble())) {
                throw new SpecException(at(key) + "[" + i + "]", "expected a finite number, got " + kind(e));
            }
            out[i] = e.asDouble();
        }
        return out;
    }

    /**
     * A list of thresholds, each a positive number or {@code inf} (also {@code .inf}, YAML's
     * spelling), returned sorted from the largest down; empty when the key is absent.
     */
    double[] thresholds(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return new double[0];
        }
        if (!v.isArray()) {
            throw new SpecException(at(key), "expected a list of positive numbers or inf, got " + kind(v));
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            String txt = e.isTextual() ? e.asText().trim().toLowerCase(java.util.Locale.ROOT) : "";
            if (txt.equals("inf") || txt.equals(".inf") || txt.equals("infinity")) {
                out[i] = Double.POSITIVE_INFINITY;
            } else if (e.isNumber() && e.asDouble() > 0 && !Double.isNaN(e.asDouble())) {
                out[i] = e.asDouble();
            } else {
                throw new SpecException(at(key) + "[" + i + "]", "expected a positive number or inf, got " + kind(e));
            }
        }
        java.util.Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) {
                throw new SpecException(at(key), "lists " + out[i] + " twice");
            }
        }
        for (int i = 0; i < out.length / 2; i++) {
            double t = out[i];
            out[i] = out[out.length - 1 - i];
            out[out.length - 1 - i] = t;
        }
        return out;
    }

    /** Rejects keys that were never read. */
    void done() {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new SpecException(at(k), "unknown key" + hint(k, known) + " (known keys here: "
                        + String.join(", ", known) + ")");
            }
        }
    }

    private static String hint(String s, Iterable<String> choices) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : choices) {
            int d = distance(s, c);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best != null && bestD <= Math.max(2, s.length() / 3) ? " (did you mean \"" + best + "\"?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
