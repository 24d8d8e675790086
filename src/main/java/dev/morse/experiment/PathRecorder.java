package dev.morse.experiment;

import dev.morse.ad.Linearization;
import dev.morse.backend.DArray;
import dev.morse.optim.IterateListener;
import java.util.ArrayList;
import java.util.List;

/**
 * For problems of two parameters (the quartic): θ_t of every iterate a run shows its
 * listener, so that each trace row (iteration t) gets its point for the trajectory plot.
 */
final class PathRecorder implements IterateListener {
    private final List<double[]> path = new ArrayList<>();

    void reset() {
        path.clear();
    }

    @Override
    public void iterate(int t, Linearization lin) {
        DArray th = lin.theta();
        double[] p = new double[2];
        th.backend().download(th, 0, p, 0, 2);
        while (path.size() <= t) {
            path.add(null);
        }
        path.set(t, p);
    }

    /** θ_t, or null when the run showed no iterate t. */
    double[] at(int t) {
        return t >= 0 && t < path.size() ? path.get(t) : null;
    }
}
