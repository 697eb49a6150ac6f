package io.aurora4j.txn;

import io.aurora4j.txn.spi.TxnSpi;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pinned checkpoints (issue #10, item 9; the SPI speculation pins its checkpoints with): retention evicts the
 * checkpoints around a pinned one but keeps what a rollback to it needs, and releases it once unpinned.
 */
class PinnedCheckpointTest {

    @Test
    void aPinnedCheckpointOutlivesRetentionAndCanBeViewedAndRolledBackTo() {
        try (Group g = Group.builder("pinned").retainCheckpoints(2).maintenanceExecutor(Runnable::run).open()) {
            TLong x = g.newLong("x", 0);
            TMap<String, Long> m = g.newMap("m");
            Checkpoint pinned = TxnSpi.pinnedCheckpoint(g);
            List<Checkpoint> later = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                long v = i;
                g.atomic(() -> {
                    x.set(v);
                    m.put("k" + (v % 3), v);
                });
                later.add(g.checkpoint());
                assertTrue(g.history().size() <= 3, "retention 2 plus the pinned one: " + g.history());
            }
            assertEquals(List.of(pinned, later.get(18), later.get(19)), g.history());
            assertTrue(pinned.isRetained());
            assertEquals(0, pinned.view().get(x));
            assertEquals(0, pinned.view().size(m));
            Checkpoint evicted = later.get(5);
            assertFalse(evicted.isRetained(), "a checkpoint after the pinned one still leaves retention");
            assertThrows(IllegalStateException.class, () -> g.rollback(evicted));
            assertEquals(19, later.get(18).view().get(x));

            g.rollback(later.get(18)); // a rollback to a retained later checkpoint walks only its own epochs
            assertEquals(19, x.get());
            g.rollback(pinned); // through every epoch kept behind the pin
            assertEquals(0, x.get());
            assertEquals(0, m.size());
            assertEquals(List.of(pinned), g.history());
        }
    }

    @Test
    void unpinningReleasesWhatThePinHeld() {
        try (Group g = Group.builder("unpinned").retainCheckpoints(2).maintenanceExecutor(Runnable::run).open()) {
            TLong x = g.newLong("x", 0);
            Checkpoint pinned = TxnSpi.pinnedCheckpoint(g);
            for (int i = 1; i <= 50; i++) {
                x.set(i);
                g.checkpoint();
            }
            assertTrue(g.stats().retainedPreImages() >= 50, "one pre-image of x per epoch behind the pin: "
                    + g.stats().retainedPreImages());
            TxnSpi.unpin(pinned);
            assertFalse(pinned.isRetained(), "unpinned, it is beyond retention at once");
            assertEquals(2, g.history().size());
            assertTrue(g.stats().retainedPreImages() <= 2, "the epochs kept behind the pin were released: "
                    + g.stats().retainedPreImages());
            assertThrows(IllegalStateException.class, () -> TxnSpi.unpin(pinned), "a second unpin");
            x.set(99);
            g.rollback(g.history().get(0));
            assertEquals(49, x.get(), "release left the retained checkpoints whole");
        }
    }
}
