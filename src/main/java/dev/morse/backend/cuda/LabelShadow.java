package dev.morse.backend.cuda;

import java.util.Arrays;

/**
 * A host copy of an int32 device array. Int arrays (class labels) are written only by
 * upload, never by a kernel, so this copy is exact; it lets softmaxCrossEntropy reject a
 * label outside [0, cols) with an exception before launching (a kernel cannot throw) without
 * a device round trip. The range of a prefix is cached until the next upload, so the check
 * costs O(1) per call in a training loop.
 */
public final class LabelShadow {
    private final int[] data;
    private int cachedCount = -1;
    private int cachedMin;
    private int cachedMax;
    private int cachedArgMin;
    private int cachedArgMax;

    public LabelShadow(int n) {
        this.data = new int[n];
    }

    public int length() {
        return data.length;
    }

    /** Mirrors an upload of src[srcOff, srcOff+n) to element dstOff. */
    public void write(int[] src, int srcOff, int dstOff, int n) {
        System.arraycopy(src, srcOff, data, dstOff, n);
        cachedCount = -1;
    }

    public int get(int i) {
        return data[i];
    }

    /** Throws IllegalArgumentException if a label of the first rows is outside [0, cols). */
    public void checkLabels(int rows, int cols, String op) {
        if (rows > data.length) {
            throw new IllegalArgumentException(op + ": " + data.length + " labels for " + rows + " rows");
        }
        if (rows == 0) {
            return;
        }
        if (cachedCount != rows) {
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            int argMin = 0;
            int argMax = 0;
            for (int r = 0; r < rows; r++) {
                int y = data[r];
                if (y < min) {
                    min = y;
                    argMin = r;
                }
                if (y > max) {
                    max = y;
                    argMax = r;
                }
            }
            cachedMin = min;
            cachedMax = max;
            cachedArgMin = argMin;
            cachedArgMax = argMax;
            cachedCount = rows;
        }
        if (cachedMin < 0) {
            throw badLabel(op, cachedMin, cachedArgMin, cols);
        }
        if (cachedMax >= cols) {
            throw badLabel(op, cachedMax, cachedArgMax, cols);
        }
    }

    private static IllegalArgumentException badLabel(String op, int y, int row, int cols) {
        return new IllegalArgumentException(op + ": label " + y + " of row " + row
                + " is outside [0, " + cols + ")");
    }

    /** A copy of the contents (tests). */
    int[] snapshot() {
        return Arrays.copyOf(data, data.length);
    }
}
