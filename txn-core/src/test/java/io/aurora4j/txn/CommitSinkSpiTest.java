package io.aurora4j.txn;

import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.txn.spi.CommitSink;
import io.aurora4j.txn.spi.TxnSpi;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SPI boundaries and speculation build on: staged items reach their sink iff the work commits. */
class CommitSinkSpiTest {

    record Delivery(long version, long epoch, List<Object> items) {
    }

    @Test
    void stagedItemsReachTheSinkOnlyOnCommitInStagingOrder() {
        try (Group g = Group.inMemory("spi")) {
            TLong x = g.newLong("x", 0);
            List<Delivery> got = new CopyOnWriteArrayList<>();
            CommitSink<Object> sink = (group, version, epoch, items) -> got.add(new Delivery(version, epoch, items));
            g.atomic(() -> {
                x.add(1);
                TxnSpi.stage(g, sink, "a");
                TxnSpi.stage(g, sink, "b");
            });
            assertEquals(1, got.size());
            assertEquals(List.of("a", "b"), got.get(0).items());
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                TxnSpi.stage(g, sink, "dropped");
                throw new IllegalStateException("body failed");
            }));
            assertEquals(1, got.size(), "an aborted transaction delivers nothing");
            g.atomic(() -> TxnSpi.stage(g, sink, "read-only")); // a transaction with no writes still delivers
            assertEquals(List.of("read-only"), got.get(1).items());
            assertThrows(IllegalStateException.class, () -> TxnSpi.stage(g, sink, "outside"));
        }
    }

    @Test
    void nestedRollbackDropsOnlyItsOwnItems() {
        try (Group g = Group.inMemory("nested")) {
            List<Object> got = new ArrayList<>();
            CommitSink<Object> sink = (group, version, epoch, items) -> got.addAll(items);
            g.atomic(() -> {
                TxnSpi.stage(g, sink, "outer-1");
                try {
                    g.atomic(() -> {
                        TxnSpi.stage(g, sink, "inner");
                        throw new IllegalArgumentException("inner fails");
                    });
                } catch (IllegalArgumentException expected) {
                    // the outer goes on
                }
                TxnSpi.stage(g, sink, "outer-2");
            });
            assertEquals(List.of("outer-1", "outer-2"), got);
        }
    }

    @Test
    void conflictRetriesDeliverOnlyTheCommittedAttempt() throws Exception {
        try (Group g = Group.inMemory("retry")) {
            TLong x = g.newLong("x", 0);
            List<Object> got = new CopyOnWriteArrayList<>();
            CommitSink<Object> sink = (group, version, epoch, items) -> got.addAll(items);
            AtomicInteger attempts = new AtomicInteger();
            g.atomic(() -> {
                int attempt = attempts.incrementAndGet();
                long seen = x.get();
                TxnSpi.stage(g, sink, "attempt-" + attempt);
                if (attempt == 1) {
                    Thread other = Thread.ofPlatform().start(() -> x.add(100)); // conflicts with this attempt
                    try {
                        other.join();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                x.set(seen + 1);
            });
            assertEquals(2, attempts.get());
            assertEquals(List.of("attempt-2"), got);
            assertEquals(101, x.get());
        }
    }

    @Test
    void rollbackParticipantsAreAskedAndTheirCountReachesTheEvent() {
        try (Group g = Group.inMemory("participants")) {
            TLong x = g.newLong("x", 0);
            List<Long> cuts = new ArrayList<>();
            Runnable remove = TxnSpi.addRollbackParticipant(g, (group, cutEpoch) -> {
                cuts.add(cutEpoch);
                return 3;
            });
            Checkpoint cp = g.checkpoint();
            x.set(5);
            assertTrue(TxnSpi.currentEpoch(g) > TxnSpi.epochOf(cp));
            RollbackEvent event = g.rollback(cp);
            assertEquals(List.of(TxnSpi.epochOf(cp)), cuts);
            assertEquals(3, event.discardedOutputs());
            remove.run();
            assertEquals(0, g.rollback(cp).discardedOutputs());
        }
    }
}
