package dev.morse.experiment;

/**
 * One run of a batch: method {@code method} (index {@code methodIndex} in the spec) from start
 * point {@code run}. {@code ordinal} is its position in the whole batch (methods in spec order,
 * runs in order), which decides its shard; {@code seed} is derived from the spec seed.
 */
public record Job(int ordinal, int methodIndex, String method, int run, long seed) {
    /** A seed for (spec seed, method, run) that does not depend on sharding or worker count. */
    static long seed(long specSeed, int methodIndex, int run) {
        long z = specSeed * 0x9E3779B97F4A7C15L + methodIndex * 0xBF58476D1CE4E5B9L + run * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    /** The file name stem of this run's trace. */
    public String stem() {
        return method.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + run;
    }
}
