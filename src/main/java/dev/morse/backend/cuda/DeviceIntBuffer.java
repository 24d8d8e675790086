package dev.morse.backend.cuda;

/** An int32 device buffer with its exact host copy (see {@link LabelShadow}). */
public interface DeviceIntBuffer extends DeviceBuffer {
    LabelShadow shadow();

    @Override
    default boolean ints() {
        return true;
    }
}
