package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Regression: a checkpoint that left retention stayed reachable through the epoch it opened
 * (epoch.opener → checkpoint → closed epoch → its opener → ...), so a loop of checkpoints ran out of heap
 * after about a million of them (found by the speculation benchmark).
 */
class CheckpointRetentionLeakTest {

    @Test
    void checkpointsThatLeftRetentionBecomeUnreachable() throws InterruptedException {
        try (Group g = Group.builder("leak").retainCheckpoints(4).maintenanceExecutor(Runnable::run).open()) {
            TLong x = g.newLong("x", 0);
            WeakReference<Checkpoint> first = new WeakReference<>(g.checkpoint("first"));
            for (int i = 0; i < 100; i++) {
                x.add(1);
                g.checkpoint();
            }
            for (int i = 0; i < 20 && first.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertNull(first.get(), "a checkpoint 100 checkpoints out of retention must be collectable");
        }
    }
}
