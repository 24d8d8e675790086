package dev.morse.backend.cuda;

import dev.morse.backend.cuda.KernelRuntime.Workspace;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The kernels' scratch buffers, one per {@link Workspace} slot, grown on demand and kept, so
 * a warm call allocates nothing. Pure bookkeeping over a {@link Device}, so that it is unit
 * tested without a GPU.
 *
 * <p>A recorded CUDA graph holds the raw device addresses of the buffers it was captured
 * with. Once the context has recorded a graph ({@link #pin()}), a buffer that is outgrown is
 * therefore <i>retired</i>, not freed: a replay recorded earlier may still read it, and
 * freeing it would make that replay write into memory the allocator has handed out again.
 * Retired buffers are freed at {@link #close()}. Growth is geometric (at least double), so
 * the retired buffers together never exceed the live one.
 */
final class WorkspacePool<B> {
    /** What the pool needs from the device. */
    interface Device<B> {
        /** A new buffer of exactly {@code doubles} float64. */
        B allocate(long doubles);

        /** Frees a buffer (the stream has been synchronized when needed). */
        void free(B buffer);

        /** Waits for all queued work (which may still read a buffer about to be freed). */
        void synchronize();
    }

    private record Entry<B>(B buffer, long length) {
    }

    private final Device<B> device;
    private final Map<Workspace, Entry<B>> current = new EnumMap<>(Workspace.class);
    private final List<B> retired = new ArrayList<>();
    private boolean pinned;

    WorkspacePool(Device<B> device) {
        this.device = device;
    }

    /** From now on an outgrown buffer is retired until close (a graph may reference it). */
    void pin() {
        pinned = true;
    }

    boolean pinned() {
        return pinned;
    }

    /** The slot's buffer, of at least {@code doubles} elements. */
    B get(Workspace slot, long doubles) {
        if (doubles < 0) {
            throw new IllegalArgumentException("negative workspace size " + doubles);
        }
        Entry<B> e = current.get(slot);
        if (e != null && e.length() >= doubles) {
            return e.buffer();
        }
        long length = e == null ? Math.max(1, doubles) : Math.max(doubles, Math.multiplyExact(2L, e.length()));
        B fresh = device.allocate(length);
        if (e != null) {
            if (pinned) {
                retired.add(e.buffer());
            } else {
                device.synchronize(); // queued kernels may still read the old buffer
                device.free(e.buffer());
            }
        }
        current.put(slot, new Entry<>(fresh, length));
        return fresh;
    }

    /** Elements of the slot's current buffer (0 if none). */
    long length(Workspace slot) {
        Entry<B> e = current.get(slot);
        return e == null ? 0 : e.length();
    }

    /** Outgrown buffers kept alive for recorded graphs. */
    int retiredCount() {
        return retired.size();
    }

    /** Frees every buffer, current and retired; returns the first failure (others are dropped). */
    RuntimeException close() {
        RuntimeException first = null;
        List<B> all = new ArrayList<>(retired);
        for (Entry<B> e : current.values()) {
            all.add(e.buffer());
        }
        retired.clear();
        current.clear();
        for (B b : all) {
            try {
                device.free(b);
            } catch (RuntimeException ex) {
                first = first == null ? ex : first;
            }
        }
        return first;
    }
}
