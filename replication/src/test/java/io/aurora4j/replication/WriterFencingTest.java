package io.aurora4j.replication;

import io.aurora4j.store.StoreFailedException;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No split brain: an old primary that keeps running and committing while a new one opens the replicated store
 * commits nothing after the new one opened (its barriers fail with {@link WriterFencedException}), and the new
 * one restores every checkpoint the old one had acknowledged and nothing it had not written.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WriterFencingTest {
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster("fence");
        cluster.awaitLeader();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anOldPrimaryStillSendingCommitsNothingOnceANewOneOpened() throws Exception {
        ReplicatedStore first = ReplicatedStore.open(cluster.settings);
        Group old = Group.builder("fenced").store(first).checkpointEvery(Duration.ofMillis(5)).open();
        TLong counter = old.newLong("counter", 0);
        old.barrier().get(60, TimeUnit.SECONDS);
        // the old primary keeps incrementing and asking for barriers; the highest value a barrier acknowledged is
        // the oracle's floor, the highest value written its ceiling
        AtomicLong acked = new AtomicLong();
        AtomicLong written = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ackedAfterFence = new AtomicLong(-1);
        AtomicBoolean fenceSeen = new AtomicBoolean();
        Thread primary = Thread.ofPlatform().name("old-primary").start(() -> {
            while (!stop.get()) {
                long v = counter.add(1);
                written.set(v);
                try {
                    old.barrier().get(60, TimeUnit.SECONDS);
                    acked.accumulateAndGet(v, Math::max);
                    if (fenceSeen.get()) {
                        ackedAfterFence.set(v);
                    }
                } catch (ExecutionException e) {
                    fenceSeen.set(true);
                } catch (Exception e) {
                    return;
                }
            }
        });
        LocalCluster.await("the old primary to acknowledge some checkpoints", () -> acked.get() >= 20);
        long floorBeforeOpen = acked.get();
        ReplicatedStore second = ReplicatedStore.open(cluster.settings);
        assertTrue(second.writerTerm() > first.writerTerm(), "a newer term");
        long ceilingAtOpen = written.get();
        try (Group fresh = Group.open(second)) {
            long restored = fresh.longRef("counter").get();
            // keep the old primary sending for a while after the new one opened
            LocalCluster.await("the old primary to see its barriers fail", fenceSeen::get);
            Thread.sleep(300);
            stop.set(true);
            primary.join(120_000);
            assertEquals(-1, ackedAfterFence.get(), "a barrier of the fenced primary completed");
            assertTrue(restored >= acked.get(), "restored " + restored + " lost an acknowledged value " + acked.get());
            assertTrue(restored >= floorBeforeOpen && restored <= ceilingAtOpen,
                    "restored " + restored + " is outside [" + floorBeforeOpen + ", " + ceilingAtOpen + "]");
            // the fenced group fails closed: every later barrier and durable future fails, with the fencing as cause
            counter.add(1000);
            ExecutionException e = assertThrows(ExecutionException.class, () -> old.barrier().get(60, TimeUnit.SECONDS));
            assertInstanceOf(StoreFailedException.class, e.getCause());
            assertTrue(first.isFailed());
            assertTrue(hasCause(e, WriterFencedException.class), "caused by the fencing: " + e);
            // the new writer commits on top of what it restored, and the replicas hold its value, not the old one's
            fresh.longRef("counter").set(restored + 1_000_000);
            long id = fresh.barrier().get(60, TimeUnit.SECONDS).id();
            for (ReplicaNode n : cluster.nodes) {
                LocalCluster.await("member " + n.memberId() + " to apply " + id, () -> n.lastAppliedCheckpointId() >= id);
                assertEquals(second.writerTerm(), n.writerTerm());
            }
        } finally {
            stop.set(true);
            primary.join(120_000);
            old.close();
        }
        try (ReplicatedStore third = ReplicatedStore.open(cluster.settings); Group g = Group.open(third)) {
            assertTrue(g.longRef("counter").get() >= 1_000_000, "the new writer's value, never the fenced one's");
        }
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

}
