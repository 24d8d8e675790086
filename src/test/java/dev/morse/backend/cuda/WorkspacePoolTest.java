package dev.morse.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.morse.backend.cuda.KernelRuntime.Workspace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel workspaces' lifetime without a GPU: grown on demand and kept; an outgrown
 * buffer is freed after a synchronization, except once a graph has been recorded (pinned),
 * when it must outlive the graphs that hold its address; everything is freed once at close.
 */
class WorkspacePoolTest {
    /** A fake device that logs what the pool does. */
    static final class Log implements WorkspacePool.Device<Log.Buf> {
        record Buf(int id, long length) {
        }

        final List<String> events = new ArrayList<>();
        final List<Buf> live = new ArrayList<>();
        int next;
        boolean failAllocation;

        @Override
        public Buf allocate(long doubles) {
            if (failAllocation) {
                throw new IllegalStateException("out of memory");
            }
            Buf b = new Buf(++next, doubles);
            live.add(b);
            events.add("alloc " + b.id() + " " + doubles);
            return b;
        }

        @Override
        public void free(Buf b) {
            assertTrue(live.remove(b), "double free of " + b);
            events.add("free " + b.id());
        }

        @Override
        public void synchronize() {
            events.add("sync");
        }
    }

    @Test
    void keptWhenLargeEnoughAndGrownGeometrically() {
        Log dev = new Log();
        WorkspacePool<Log.Buf> pool = new WorkspacePool<>(dev);
        Log.Buf a = pool.get(Workspace.PARTIALS, 100);
        assertSame(a, pool.get(Workspace.PARTIALS, 100), "a warm call allocates nothing");
        assertSame(a, pool.get(Workspace.PARTIALS, 7));
        Log.Buf b = pool.get(Workspace.PARTIALS, 150);
        assertEquals(200, b.length(), "at least doubled");
        assertEquals(List.of("alloc 1 100", "alloc 2 200", "sync", "free 1"), dev.events,
                "unpinned: the old buffer is freed only after queued kernels are done");
        assertSame(b, pool.get(Workspace.PARTIALS, 200));
        assertEquals(200, pool.length(Workspace.PARTIALS));
        assertNull(pool.close());
        assertTrue(dev.live.isEmpty());
    }

    @Test
    void pinnedBuffersOutliveGrowthUntilClose() {
        Log dev = new Log();
        WorkspacePool<Log.Buf> pool = new WorkspacePool<>(dev);
        pool.get(Workspace.PARTIALS, 10);
        pool.pin(); // a graph was recorded with buffer 1's address
        pool.get(Workspace.PARTIALS, 50);
        pool.get(Workspace.PARTIALS, 500);
        assertEquals(2, pool.retiredCount());
        assertEquals(3, dev.live.size(), "no recorded graph may see its workspace freed");
        assertTrue(dev.events.stream().noneMatch(e -> e.startsWith("free")), dev.events.toString());
        long retired = 10 + 50;
        assertTrue(retired <= pool.length(Workspace.PARTIALS), "retired buffers never exceed the live one");
        assertNull(pool.close());
        assertTrue(dev.live.isEmpty(), "close frees current and retired buffers");
        assertNull(pool.close(), "closing twice is harmless");
        assertEquals(3, dev.events.stream().filter(e -> e.startsWith("free")).count());
    }

    @Test
    void aFailedGrowthKeepsTheOldBuffer() {
        Log dev = new Log();
        WorkspacePool<Log.Buf> pool = new WorkspacePool<>(dev);
        Log.Buf a = pool.get(Workspace.PARTIALS, 10);
        dev.failAllocation = true;
        assertThrows(IllegalStateException.class, () -> pool.get(Workspace.PARTIALS, 1000));
        dev.failAllocation = false;
        assertSame(a, pool.get(Workspace.PARTIALS, 10), "still usable");
        assertThrows(IllegalArgumentException.class, () -> pool.get(Workspace.PARTIALS, -1));
        assertNull(pool.close());
        assertTrue(dev.live.isEmpty());
    }
}
