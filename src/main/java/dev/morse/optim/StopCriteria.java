package dev.morse.optim;

/**
 * When an optimizer stops: after {@code maxIterations} updates, or once ‖g‖² is below
 * {@code gradNormSqFloor} (0: never).
 */
public record StopCriteria(int maxIterations, double gradNormSqFloor) {
    public StopCriteria {
        if (maxIterations < 0 || !(gradNormSqFloor >= 0)) {
            throw new IllegalArgumentException("stop criteria: maxIterations ≥ 0 and gradNormSqFloor ≥ 0 required, got "
                    + maxIterations + ", " + gradNormSqFloor);
        }
    }

    public static StopCriteria iterations(int n) {
        return new StopCriteria(n, 0);
    }
}
