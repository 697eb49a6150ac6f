package io.aurora4j.store.api;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.DirectoryStoreBuilder;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import io.aurora4j.store.testing.RandomCheckpoints;
import io.aurora4j.store.testing.StateModel;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/** The store's contract at its edges: builder, locking, misuse, states after close, age retention, readers. */
class StoreContractTest {
    @TempDir
    Path dir;

    @Test
    void theBuilderFailsFastNamingTheValueAlreadySet() {
        DirectoryStoreBuilder b = Store.directoryBuilder(dir).retainCheckpoints(4).segmentBytes(1 << 20)
                .retainFor(Duration.ofMinutes(5)).backgroundDeletes(false);
        assertEquals("backgroundDeletes was already set to false",
                assertThrows(IllegalStateException.class, () -> b.backgroundDeletes(true)).getMessage());
        assertEquals("retainCheckpoints was already set to 4",
                assertThrows(IllegalStateException.class, () -> b.retainCheckpoints(5)).getMessage());
        assertEquals("segmentBytes was already set to 1048576",
                assertThrows(IllegalStateException.class, () -> b.segmentBytes(5)).getMessage());
        assertEquals("retainFor was already set to PT5M",
                assertThrows(IllegalStateException.class, () -> b.retainFor(Duration.ZERO)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Store.directoryBuilder(dir).retainCheckpoints(0));
        assertThrows(IllegalArgumentException.class, () -> Store.directoryBuilder(dir).segmentBytes(0));
        assertThrows(IllegalArgumentException.class, () -> Store.directoryBuilder(dir).retainFor(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> Store.directoryBuilder(null));
    }

    @Test
    void cleaningSettingsFailFastWithClearMessages() {
        DirectoryStoreBuilder b = Store.directoryBuilder(dir).cleaning(true).cleaningTrigger(0.5).cleaningBudget(2);
        assertEquals("cleaning was already set to true",
                assertThrows(IllegalStateException.class, () -> b.cleaning(false)).getMessage());
        assertEquals("cleaningTrigger was already set to 0.5",
                assertThrows(IllegalStateException.class, () -> b.cleaningTrigger(1)).getMessage());
        assertEquals("cleaningBudget was already set to 2.0",
                assertThrows(IllegalStateException.class, () -> b.cleaningBudget(1)).getMessage());
        for (double bad : new double[]{-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            String m = assertThrows(IllegalArgumentException.class,
                    () -> Store.directoryBuilder(dir).cleaningTrigger(bad)).getMessage();
            assertTrue(m.startsWith("cleaningTrigger must be a finite ratio >= 0, was " + bad), m);
        }
        for (double bad : new double[]{0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> Store.directoryBuilder(dir).cleaningBudget(bad));
        }
        String off = assertThrows(IllegalStateException.class,
                () -> Store.directoryBuilder(dir).cleaning(false).cleaningBudget(1).open()).getMessage();
        assertEquals("cleaning(false) turns cleaning off, so cleaningTrigger (unset) and cleaningBudget (1.0) would have"
                + " no effect", off);
        try (Store s = Store.directoryBuilder(dir).cleaning(false).open()) {
            assertFalse(s.isFailed()); // off alone is fine, and the directory was not locked by the failed open
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryFailsClearly() {
        try (Store first = Store.directory(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> Store.directory(dir));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(first.describe().contains(dir.toString()));
        }
        Store.directory(dir).close(); // closing released the lock
    }

    @Test
    void misuseOfWritersFailsAtOnce() {
        for (Store store : List.of(Store.memory(), Store.directory(dir))) {
            try (store) {
                assertThrows(IllegalArgumentException.class, () -> store.begin(1, 0, null), "no base to be incremental over");
                CheckpointWriter w = store.begin(5, -1, null);
                assertThrows(IllegalStateException.class, () -> store.begin(6, -1, null), "one writer at a time");
                IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                        () -> w.putEntry("ghost", new byte[1], new byte[1]));
                assertTrue(missing.getMessage().contains("ghost"));
                assertThrows(IllegalArgumentException.class,
                        () -> w.putPage("ghost", 0, new UnsafeBuffer(new byte[1]), 0, 1));
                w.putObject("o", (byte) 1, new byte[0]);
                assertThrows(IndexOutOfBoundsException.class,
                        () -> w.putPage("o", 0, new UnsafeBuffer(new byte[4]), 2, 3));
                assertThrows(IllegalArgumentException.class,
                        () -> w.putPage("o", -1, new UnsafeBuffer(new byte[4]), 0, 1));
                assertEquals(5, w.commit().id());
                assertThrows(IllegalStateException.class, () -> w.putObject("o", (byte) 1, new byte[0]));
                assertThrows(IllegalStateException.class, w::commit);
                assertThrows(IllegalStateException.class, w::abort);
                w.close(); // closing a committed writer is a no-op
                assertThrows(IllegalArgumentException.class, () -> store.begin(5, -1, null), "ids grow");
                assertThrows(IllegalArgumentException.class, () -> store.begin(7, 4, null), "base must be the newest");
                store.begin(7, 5, "ok").close();
                assertThrows(java.util.NoSuchElementException.class, () -> store.state(6));
            }
            assertThrows(IllegalStateException.class, () -> store.begin(8, -1, null));
            assertThrows(IllegalStateException.class, store::lastDurable);
            assertThrows(IllegalStateException.class, () -> store.log("x"));
            store.close(); // idempotent
        }
    }

    @Test
    void aStateReadAfterCloseOrAfterCompactionReclaimedItFailsClearly() {
        Store store = Store.directoryBuilder(dir).retainCheckpoints(1).segmentBytes(64).open();
        try (CheckpointWriter w = store.begin(1, -1, null)) {
            w.putObject("a", (byte) 1, new byte[100]);
            w.commit();
        }
        StoredState old = store.state(1);
        for (long id = 2; id < 5; id++) {
            try (CheckpointWriter w = store.begin(id, -1, null)) {
                w.putObject("a", (byte) 1, new byte[100]);
                w.commit();
            }
        }
        assertThrows(IllegalStateException.class, old::objects, "its segment was deleted");
        StoredState current = store.state(4);
        store.close();
        assertThrows(IllegalStateException.class, current::objects);
        Store memory = Store.memory();
        try (CheckpointWriter w = memory.begin(1, -1, null)) {
            w.putObject("a", (byte) 1, new byte[1]);
            w.commit();
        }
        StoredState m = memory.state(1);
        memory.close();
        assertThrows(IllegalStateException.class, m::objects);
    }

    @Test
    void ageRetentionKeepsYoungCheckpointsBeyondTheCount() {
        MutableClock clock = new MutableClock();
        RandomCheckpoints work = new RandomCheckpoints(3).bigPageEvery(0);
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(2).retainFor(Duration.ofSeconds(10))
                .clock(clock).open()) {
            for (int i = 0; i < 8; i++) {
                work.writeOne(store);
                clock.advance(Duration.ofSeconds(2));
            }
            // 8 checkpoints at t=0,2,..,14; retention is applied when one commits: at t=14, those at t>=4
            // are within 10 s
            assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L), ids(store));
            clock.advance(Duration.ofSeconds(60));
            work.writeOne(store);
            assertEquals(List.of(8L, 9L), ids(store), "old ones age out; the count still holds");
            for (StoredCheckpoint cp : store.checkpoints()) {
                assertNull(work.committed().get(cp.id()).difference(store.state(cp.id())));
            }
        }
    }

    @Test
    void theMemoryStoreRetainsTheNewestSixteen() {
        RandomCheckpoints work = new RandomCheckpoints(9).bigPageEvery(0);
        try (Store store = Store.memory()) {
            for (int i = 0; i < 40; i++) {
                work.writeOne(store);
            }
            assertEquals(16, store.checkpoints().size());
            assertEquals(25, store.checkpoints().get(0).id());
            for (StoredCheckpoint cp : store.checkpoints()) {
                assertNull(work.committed().get(cp.id()).difference(store.state(cp.id())));
            }
            assertFalse(store.isFailed());
            assertEquals(0, store.reclaimableBytes());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void readersSeeOnlyCommittedCheckpointsWhileOneWriterWrites() throws Exception {
        for (Store store : List.of(Store.memory(), Store.directoryBuilder(dir).segmentBytes(8192).retainCheckpoints(4).open())) {
            try (store) {
                RandomCheckpoints work = new RandomCheckpoints(21).bigPageEvery(0);
                work.writeOne(store);
                AtomicBoolean stop = new AtomicBoolean();
                List<Throwable> errors = new CopyOnWriteArrayList<>();
                List<StateModelCheck> checks = new CopyOnWriteArrayList<>();
                List<Thread> readers = new ArrayList<>();
                java.util.Map<Long, StateModel> models = new java.util.concurrent.ConcurrentHashMap<>(work.committed());
                for (int t = 0; t < 3; t++) {
                    readers.add(Thread.ofPlatform().start(() -> {
                        while (!stop.get()) {
                            try {
                                StoredCheckpoint cp = store.lastDurable().orElseThrow();
                                StoredState s = store.state(cp.id());
                                StateModel model = models.get(cp.id());
                                if (model != null) { // else its commit returned but the test has not noted it yet
                                    checks.add(new StateModelCheck(cp.id(), model.difference(s)));
                                }
                            } catch (java.util.NoSuchElementException | IllegalStateException retiredMeanwhile) {
                                // the checkpoint left retention between lastDurable and state, or its
                                // segment was compacted while we read: both are documented outcomes
                            } catch (Throwable e) {
                                errors.add(e);
                            }
                        }
                    }));
                }
                for (int i = 0; i < 150; i++) {
                    work.writeOne(store);
                    models.put(work.lastCommitted(), work.committed().get(work.lastCommitted()));
                }
                stop.set(true);
                for (Thread t : readers) {
                    t.join();
                }
                assertTrue(errors.isEmpty(), () -> errors.size() + " reader errors, the first: " + errors.get(0));
                assertFalse(checks.isEmpty());
                for (StateModelCheck c : checks) {
                    assertNull(c.diff(), "checkpoint " + c.id());
                }
            }
        }
    }

    private record StateModelCheck(long id, String diff) {
    }

    private static List<Long> ids(Store store) {
        return store.checkpoints().stream().map(StoredCheckpoint::id).toList();
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2024-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
