package dev.morse.backend;

/** An int32 array on a backend's device (class labels). */
public interface IArray extends AutoCloseable {
    int length();

    Backend backend();

    @Override
    void close();
}
