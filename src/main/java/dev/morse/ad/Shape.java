package dev.morse.ad;

/** Static shape of a traced value: a rows×cols row-major matrix (a scalar is 1×1). */
public record Shape(int rows, int cols) {
    public Shape {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("shape must be positive, got " + rows + "×" + cols);
        }
    }

    public static final Shape SCALAR = new Shape(1, 1);

    public long size() {
        return (long) rows * cols;
    }

    public boolean isScalar() {
        return rows == 1 && cols == 1;
    }

    @Override
    public String toString() {
        return rows + "×" + cols;
    }
}
