package dev.morse.ad;

/** Integer class labels recorded by a {@link Tracer}, for {@link Value#softmaxCrossEntropy}. */
public final class Labels {
    final Tracer tracer;
    final int index;
    final int length;

    Labels(Tracer tracer, int index, int length) {
        this.tracer = tracer;
        this.index = index;
        this.length = length;
    }

    public int length() {
        return length;
    }
}
