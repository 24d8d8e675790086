package dev.morse.experiment;

import dev.morse.cli.Main;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code morse} in a child JVM that stops, for good, just before appending record k + 1 to
 * runs.jsonl (k = system property {@code morse.test.blockAfter}) and says {@code BLOCKED} on
 * stdout: the parent then kills it with SIGKILL. The kill lands mid-batch (other workers are
 * mid-run, one record is about to be written) with no timing window.
 */
final class BlockAfterRecords {
    static final String MARKER = "BLOCKED";

    private BlockAfterRecords() {
    }

    public static void main(String[] args) {
        int k = Integer.getInteger("morse.test.blockAfter");
        AtomicInteger calls = new AtomicInteger();
        Outputs.faults = p -> {
            // call 1 opens the file, calls 2 … k + 1 append records 1 … k
            if (p.getFileName().toString().equals("runs.jsonl") && calls.incrementAndGet() == k + 2) {
                System.out.println(MARKER);
                System.out.flush();
                while (true) {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        // keep waiting for the kill
                    }
                }
            }
        };
        Main.main(args);
    }
}
