package dev.morse.optim;

import dev.morse.ad.Linearization;
import dev.morse.backend.Backend;
import dev.morse.backend.DArray;
import java.util.ArrayList;
import java.util.List;

/** Records an optimizer's iterates and shows each to a listener (package-private helper). */
final class Recorder {
    private final Backend be;
    private final int n;
    private final Snapshots snapshots;
    private final IterateListener listener;
    private final List<TrajectoryPoint> points = new ArrayList<>();
    private final long t0 = System.nanoTime();

    Recorder(Backend be, int n, Snapshots snapshots, IterateListener listener) {
        this.be = be;
        this.n = n;
        this.snapshots = snapshots;
        this.listener = listener;
    }

    /** The iterate θ (its linearization {@code lin}): a trajectory point, shown to the listener. */
    void record(int iteration, Linearization lin, DArray theta) {
        double[] th = null;
        if (snapshots.take(iteration)) {
            th = new double[n];
            be.download(theta, 0, th, 0, n);
        }
        points.add(new TrajectoryPoint(iteration, lin.value(), lin.gradNormSq(), th));
        listener.iterate(iteration, lin);
    }

    Trajectory finish(String method, DArray theta, StopReason stop, String detail) {
        double[] th = new double[n];
        be.download(theta, 0, th, 0, n);
        return new Trajectory(method, points, th, stop, detail, (System.nanoTime() - t0) * 1e-9);
    }
}
