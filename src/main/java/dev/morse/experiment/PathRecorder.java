package dev.morse.experiment;

import dev.morse.ad.Linearization;
import dev.morse.ad.Objective;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.ArrayList;
import java.util.List;

/**
 * For problems of two parameters (the quartic), an objective that passes every call through
 * and remembers each θ it was linearized at with the loss there, so that a run's trace rows
 * (which report the loss of each accepted iterate) can be given their θ for the trajectory
 * plot. The solver is unchanged; a row's θ is the latest linearization with exactly its loss.
 */
final class PathRecorder implements Objective {
    private final Objective inner;
    private final List<double[]> seen = new ArrayList<>();
    private final double[] buf = new double[2];

    PathRecorder(Objective inner) {
        if (inner.n() != 2) {
            throw new IllegalArgumentException("path recording is for two-parameter problems");
        }
        this.inner = inner;
    }

    void reset() {
        seen.clear();
    }

    /** θ for each loss value in order (null where none was seen). */
    List<double[]> match(double[] losses) {
        List<double[]> out = new ArrayList<>();
        int from = 0;
        for (double l : losses) {
            double[] hit = null;
            for (int i = from; i < seen.size(); i++) {
                if (Double.compare(seen.get(i)[2], l) == 0) {
                    hit = seen.get(i);
                    from = i;
                }
            }
            out.add(hit == null ? null : new double[] {hit[0], hit[1]});
        }
        return out;
    }

    @Override
    public int n() {
        return 2;
    }

    @Override
    public Backend backend() {
        return inner.backend();
    }

    @Override
    public double value(DArray theta, long off) {
        return inner.value(theta, off);
    }

    @Override
    public Linearization at(DArray theta, long off) {
        Linearization lin = inner.at(theta, off);
        inner.backend().download(theta, off, buf, 0, 2);
        seen.add(new double[] {buf[0], buf[1], lin.value()});
        return lin;
    }

    @Override
    public List<String> nonSmooth() {
        return inner.nonSmooth();
    }

    @Override
    public void close() {
        // the inner objective belongs to the executor
    }
}
