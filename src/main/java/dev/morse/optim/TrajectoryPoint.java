package dev.morse.optim;

/**
 * One iterate of an optimizer's trajectory.
 *
 * @param theta a copy of θ if this iterate was snapshotted, else null
 */
public record TrajectoryPoint(int iteration, double loss, double gradNormSq, double[] theta) {
    public TrajectoryPoint {
        theta = theta == null ? null : theta.clone();
    }

    @Override
    public double[] theta() {
        return theta == null ? null : theta.clone();
    }

    public boolean hasTheta() {
        return theta != null;
    }
}
