package dev.morse.experiment;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The writer's lock on a results directory: an OS file lock ({@code fcntl} on Linux) on
 * {@code DIR/morse.lock}, held by {@code morse run}, {@code report}, {@code merge} and
 * {@code repair} for as long as they write there. The kernel releases it when the process
 * ends in any way (kill -9 included), so a crashed batch never leaves a stale lock; the
 * file itself stays and names the last holder (pid, host, start time, command), which a
 * second writer quotes in its one-line refusal.
 */
public final class ResultsLock implements AutoCloseable {
    /** The lock file's name inside a results directory. */
    public static final String FILE = "morse.lock";

    private final Path dir;
    private final FileChannel ch;
    private final FileLock lock;

    private ResultsLock(Path dir, FileChannel ch, FileLock lock) {
        this.dir = dir;
        this.ch = ch;
        this.lock = lock;
    }

    /**
     * Takes the lock on an existing directory for {@code what} (e.g. "morse run"), or refuses
     * with a one-line {@link SpecException} naming the holder and what to do.
     */
    public static ResultsLock acquire(Path dir, String what) {
        Path file = dir.resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new SpecException("--out", "cannot write in " + dir + ": " + Outputs.cause(e));
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this process already holds it (another command in the same JVM)
        } catch (IOException e) {
            closeQuietly(ch);
            throw new SpecException("--out", "cannot lock " + file + ": " + Outputs.cause(e)
                    + " (file locks must work on this file system; see docs/SPEC.md, Results directories)");
        }
        if (lock == null) {
            String holder = holder(ch);
            closeQuietly(ch);
            throw new SpecException("--out", dir + " is in use by another morse (" + holder + "); wait for it to "
                    + "finish or stop it, then run again (--resume continues a batch)");
        }
        try {
            byte[] info = (what + " pid " + ProcessHandle.current().pid() + " on " + host() + " since "
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(info), 0);
            ch.force(false);
        } catch (IOException e) {
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
            closeQuietly(ch);
            throw new SpecException("--out", "cannot write " + file + ": " + Outputs.cause(e));
        }
        return new ResultsLock(dir, ch, lock);
    }

    /** What the lock file says about its holder, on one line. */
    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(512);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "holder unknown" : s.lines().findFirst().orElse(s);
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    static String host() {
        String name = ManagementFactory.getRuntimeMXBean().getName(); // pid@host on HotSpot
        int at = name.indexOf('@');
        if (at >= 0 && at + 1 < name.length()) {
            return name.substring(at + 1);
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown host";
        }
    }

    public Path dir() {
        return dir;
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was written through it
        }
    }

    /** Releases the lock; the file stays, naming the last holder. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel's close below releases it as well
        }
        closeQuietly(ch);
    }
}
