package io.aurora4j.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The code sample of rollback-notify/README.md and of RollbackNotifier's javadoc, compiled and run. */
class ReadmeExampleTest {

    // README: "A checkpoint, as txn-core's Checkpoint provides it"
    record MyCheckpoint(long id, Optional<String> label, String groupName) implements CheckpointInfo {
    }

    @Test
    void theReadmeSampleRunsAsDescribed() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CheckpointInfo checkpoint = new MyCheckpoint(7, Optional.of("before-batch"), "bank");
        Throwable cause = new IllegalStateException("transfer failed");
        long restoreNanos = 1_500_000;

        // --- README sample begins
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Registration reg = notifier.register(event ->
                    seen.add("rolled back to " + event.checkpoint().id() + ": " + event.cause().getMessage()));

            // The group, under its own lock, after restoring state:
            notifier.publish(RollbackEvent.builder("bank", 1, checkpoint, cause)
                    .duration(Duration.ofNanos(restoreNanos))
                    .restoredObjects(12)
                    .build());                               // returns at once

            notifier.delivered().get(5, TimeUnit.SECONDS);   // optional: wait for the listeners
            reg.close();                                     // no more events for this listener
        }
        // --- README sample ends

        assertEquals(List.of("rolled back to 7: transfer failed"), seen);
    }
}
