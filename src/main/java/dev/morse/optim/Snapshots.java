package dev.morse.optim;

import java.util.Arrays;

/**
 * Which iterates of a trajectory keep a copy of θ (so that start points for critical-point
 * runs can be sampled from them). Iteration 0 is the start point.
 */
@FunctionalInterface
public interface Snapshots {
    boolean take(int iteration);

    static Snapshots none() {
        return it -> false;
    }

    /** Every k-th iterate, starting with iteration 0. */
    static Snapshots every(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("snapshot interval must be ≥ 1, got " + k);
        }
        return it -> it % k == 0;
    }

    /** Exactly the listed iterations. */
    static Snapshots at(int... iterations) {
        int[] s = iterations.clone();
        Arrays.sort(s);
        return it -> Arrays.binarySearch(s, it) >= 0;
    }
}
