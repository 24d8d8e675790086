package dev.morse.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer's recorded run: loss and ‖g‖² at every iterate (iteration 0 is the start), θ
 * at the snapshotted ones and at the end, and why it stopped: a {@link StopReason}, with
 * {@code stopDetail} naming what failed when the method could not go on (else null).
 */
public record Trajectory(String method, List<TrajectoryPoint> points, double[] finalTheta, StopReason stop,
                         String stopDetail, double seconds) {
    public Trajectory {
        points = List.copyOf(points);
        finalTheta = finalTheta.clone();
    }

    @Override
    public double[] finalTheta() {
        return finalTheta.clone();
    }

    public TrajectoryPoint last() {
        return points.get(points.size() - 1);
    }

    public double finalLoss() {
        return last().loss();
    }

    public double finalGradNormSq() {
        return last().gradNormSq();
    }

    /** The iterates that carry θ. */
    public List<TrajectoryPoint> snapshots() {
        List<TrajectoryPoint> s = new ArrayList<>();
        for (TrajectoryPoint p : points) {
            if (p.hasTheta()) {
                s.add(p);
            }
        }
        return s;
    }
}
