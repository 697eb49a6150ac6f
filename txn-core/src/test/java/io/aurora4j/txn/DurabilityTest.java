package io.aurora4j.txn;

import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ARCHITECTURE.md invariant 7 at the group level: what a barrier acknowledged is what a reopened store restores. */
@Timeout(60)
class DurabilityTest {
    @TempDir
    Path dir;

    /** A slow period, so that tests decide when flushes happen (barrier or flushNow). */
    private Group open(String name) {
        return Group.builder(name).store(Store.directory(dir)).checkpointEvery(Duration.ofHours(1)).open();
    }

    record Account(String owner, long cents, boolean frozen) {
    }

    @Test
    void everyKindOfObjectSurvivesCloseAndReopen() {
        try (Group g = open("bank")) {
            g.newLong("alice", 100);
            g.newRef("owner", "alice");
            g.newRef("bytes", new byte[] {1, 2, 3});
            TMap<String, Long> notes = g.newMap("notes");
            Region heap = g.newRegion("heap", 1 << 20);
            g.atomic(() -> {
                g.longRef("alice").add(-10);
                notes.put("a", 1L);
                notes.put("b", 2L);
                notes.remove("b");
            });
            heap.putLong(4096 * 7 + 8, 42L);
            heap.putLong(500_000, -1L);
            g.barrier().join();
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals("bank", g.name());
            assertEquals(90, g.longRef("alice").get());
            assertEquals("alice", g.ref("owner").get());
            assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) g.ref("bytes").get());
            TMap<String, Long> notes = g.map("notes");
            assertEquals(1, notes.size());
            assertEquals(1L, notes.get("a"));
            assertNull(notes.get("b"));
            Region heap = g.region("heap");
            assertEquals(1 << 20, heap.capacity());
            assertEquals(42L, heap.getLong(4096 * 7 + 8));
            assertEquals(-1L, heap.getLong(500_000));
            assertEquals(0L, heap.getLong(0));
        }
    }

    @Test
    void incrementalCheckpointsMatchAModelAfterEveryReopen() {
        Random random = new Random(7);
        Map<String, Long> longs = new HashMap<>();
        Map<Integer, String> map = new HashMap<>();
        long[] page = new long[64];
        for (int round = 0; round < 12; round++) {
            try (Group g = round == 0 ? open("model") : Group.open(Store.directory(dir))) {
                if (round == 0) {
                    for (int i = 0; i < 8; i++) {
                        g.newLong("l" + i, 0);
                        longs.put("l" + i, 0L);
                    }
                    g.newMap("m");
                    g.newRegion("r", 64 * 4096);
                }
                TMap<Integer, String> m = g.map("m");
                Region r = g.region("r");
                for (int step = 0; step < 20; step++) {
                    int i = random.nextInt(8);
                    long v = random.nextLong();
                    g.longRef("l" + i).set(v);
                    longs.put("l" + i, v);
                    int k = random.nextInt(30);
                    if (random.nextBoolean()) {
                        m.put(k, "v" + v);
                        map.put(k, "v" + v);
                    } else {
                        m.remove(k);
                        map.remove(k);
                    }
                    int p = random.nextInt(64);
                    r.putLong((long) p * 4096 + 16, v);
                    page[p] = v;
                    if (step % 5 == 4) {
                        g.barrier().join(); // several incremental checkpoints per session
                    }
                }
                g.barrier().join();
            }
            try (Group g = Group.open(Store.directory(dir))) {
                for (var e : longs.entrySet()) {
                    assertEquals(e.getValue(), g.longRef(e.getKey()).get(), e.getKey() + " in round " + round);
                }
                assertEquals(map, g.<Integer, String>map("m").snapshot(), "map in round " + round);
                Region r = g.region("r");
                for (int p = 0; p < 64; p++) {
                    assertEquals(page[p], r.getLong((long) p * 4096 + 16), "page " + p + " in round " + round);
                }
            }
        }
    }

    @Test
    void recordsAndUserValuesGoThroughTheCodecs() {
        io.aurora4j.store.Codecs codecs = io.aurora4j.store.Codecs.builder()
                .allowRecord(java.lang.invoke.MethodHandles.lookup(), Account.class).build();
        try (Group g = Group.builder("accounts").store(Store.directory(dir)).codecs(codecs)
                .checkpointEvery(Duration.ofHours(1)).open()) {
            g.newRef("acct", new Account("alice", 1234, false));
            g.barrier().join();
        }
        try (Group g = Group.builder("accounts").store(Store.directory(dir)).codecs(codecs).open()) {
            assertEquals(new Account("alice", 1234, false), g.ref("acct").get());
        }
    }

    @Test
    void aValueTheCodecsCannotWriteFailsItsCheckpointWithAClearMessageNotDurability() {
        try (Group g = open("bad")) {
            // Its class is rejected at the write; one inside a list only when written (UnwritableValueIssue10Test).
            IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class, () -> g.newRef("thing", new Object()));
            assertTrue(rejected.getMessage().contains("TRef 'thing'"), rejected.getMessage());
            TRef<Object> thing = g.newRef("thing", List.of(new Object()));
            CompletionException e = assertThrows(CompletionException.class, () -> g.barrier().join());
            assertInstanceOf(UnwritableValueException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("TRef 'thing'"), e.getCause().getMessage());
            thing.set(List.of("fine"));
            g.barrier().join();
        }
    }

    @Test
    void periodicCheckpointsBecomeDurableWithoutABarrier() throws Exception {
        try (Group g = Group.builder("periodic").store(Store.directory(dir)).checkpointEvery(Duration.ofMillis(5)).open()) {
            TLong x = g.newLong("x", 0);
            for (int i = 1; i <= 50; i++) {
                x.set(i);
            }
            Checkpoint mine = g.checkpoint("mine");
            assertEquals(mine, mine.durable().get(30, TimeUnit.SECONDS));
            // periodic checkpoints: only when something changed
            long before = g.history().size();
            Thread.sleep(50);
            assertEquals(before, g.history().size(), "an idle group takes no periodic checkpoints");
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals(50, g.longRef("x").get());
        }
    }

    @Test
    void aRollbackBelowWhatIsOnDiskIsWrittenInFull() {
        try (Group g = open("rb")) {
            TLong x = g.newLong("x", 1);
            TMap<String, String> m = g.newMap("m");
            Checkpoint one = g.checkpoint("one");
            x.set(2);
            m.put("k", "v");
            g.newLong("late", 5);
            g.barrier().join(); // disk: x=2, k=v, late exists
            g.rollback(one);
            g.barrier().join(); // disk must go back to x=1, no k, no late
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals(1, g.longRef("x").get());
            assertTrue(g.map("m").isEmpty());
            assertThrows(java.util.NoSuchElementException.class, () -> g.longRef("late"));
        }
    }

    @Test
    void aRollbackBelowWhatIsOnDiskIsDurableWithoutALaterChange() {
        try (Group g = open("rb-close")) {
            TLong x = g.newLong("x", 1);
            Checkpoint one = g.checkpoint("one");
            x.set(2);
            g.barrier().join(); // disk: x=2
            g.rollback(one); // nothing changes after it: the close's last flush must still write x=1
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals(1, g.longRef("x").get(), "a rollback is state too: closing must not resurrect what it undid");
        }
    }

    /**
     * Issue #10, found by the durable-group matrix: the first rollback discarded the flushed checkpoint, so the
     * second one compared its target with nothing on disk, owed no checkpoint, and the close wrote nothing.
     */
    @Test
    void issue10ASecondRollbackBelowWhatIsOnDiskIsDurableAfterACheckpointBetweenThem() {
        try (Group g = open("rb-twice")) {
            TLong x = g.newLong("x", 1);
            Checkpoint one = g.checkpoint("one");
            x.set(2);
            Checkpoint two = g.checkpoint("two");
            x.set(3);
            g.barrier().join(); // disk: x=3
            g.rollback(two); // x=2, the flushed checkpoint is discarded
            g.checkpoint("after-first-rollback"); // pays what the first rollback owed, in memory only
            g.rollback(one); // x=1: still below the disk's x=3, so the close must write it
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals(1, g.longRef("x").get(), "a restart resurrected what two rollbacks undid");
        }
    }

    @Test
    void aRollbackBelowWhatIsOnDiskIsWrittenByThePeriodicFlush() throws Exception {
        try (Group g = Group.builder("rb-periodic").store(Store.directory(dir)).checkpointEvery(Duration.ofMillis(5)).open()) {
            TLong x = g.newLong("x", 1);
            Checkpoint one = g.checkpoint("one");
            x.set(2);
            g.barrier().join();
            g.rollback(one);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) { // the flusher writes the rolled-back state at its next period, with no barrier
                Checkpoint newest = g.history().get(g.history().size() - 1);
                if (newest.id() > one.id() && newest.durable().isDone()) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "no checkpoint after the rollback became durable");
                Thread.sleep(5);
            }
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals(1, g.longRef("x").get());
        }
    }

    @Test
    void aCheckpointDiscardedByARollbackBeforeItWasDurableSaysSo() {
        try (Group g = open("discarded")) {
            TLong x = g.newLong("x", 1);
            Checkpoint one = g.checkpoint();
            x.set(2);
            Checkpoint two = g.checkpoint();
            g.rollback(one);
            CompletionException e = assertThrows(CompletionException.class, () -> two.durable().join());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals(one, one.durable().join().id() == one.id() ? one : null);
        }
    }

    @Test
    void restoreListenersHearTheRecovery() throws Exception {
        try (Group g = open("listened")) {
            g.newLong("x", 3);
            g.barrier().join();
        }
        List<RollbackEvent> events = new CopyOnWriteArrayList<>();
        List<GroupRollback> typed = new CopyOnWriteArrayList<>();
        try (Group g = Group.builder("listened").store(Store.directory(dir)).onRestore(events::add)
                .onGroupRestore(typed::add).open()) {
            g.notificationsDelivered().get(10, TimeUnit.SECONDS);
            assertEquals(1, events.size());
            assertEquals(1, typed.size());
            assertSame(events.get(0), typed.get(0).event());
            RollbackCause.RestoredFromStore cause = assertInstanceOf(RollbackCause.RestoredFromStore.class, typed.get(0).cause());
            assertEquals(g.history().get(0).id(), cause.checkpointId());
            assertEquals(cause.toString(), events.get(0).cause().getMessage()); // the untyped event says the same
            assertEquals(3, g.longRef("x").get());
        }
    }

    @Test
    void checkpointIdsKeepGrowingAcrossRestarts() {
        long last;
        try (Group g = open("ids")) {
            g.newLong("x", 0).set(1);
            last = g.barrier().join().id();
        }
        try (Group g = Group.open(Store.directory(dir))) {
            long restored = g.history().get(0).id();
            // the flusher may have written one more (empty) checkpoint after the barrier's: never an older one
            assertTrue(restored >= last, "restored checkpoint #" + restored + " is older than the acknowledged #" + last);
            assertEquals(1, g.longRef("x").get());
            g.longRef("x").set(2);
            assertTrue(g.barrier().join().id() > restored, "ids go on growing after a restart");
        }
    }

    @Test
    void aDurableLogSurvivesWithoutACheckpoint() {
        try (Group g = open("logged")) {
            DurableLog log = g.log("requests");
            log.append("one".getBytes());
            log.append("two".getBytes());
        }
        try (Group g = Group.open(Store.directory(dir))) {
            List<String> seen = new ArrayList<>();
            g.log("requests").read(0, (n, r) -> seen.add(n + ":" + new String(r)));
            assertEquals(List.of("0:one", "1:two"), seen);
        }
    }

    @Test
    void misuseFailsClearly() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Group.open(Store.memory()));
        assertTrue(empty.getMessage().contains("no durable checkpoint"), empty.getMessage());
        try (Group g = open("first")) {
            g.newLong("x", 1);
            assertThrows(IllegalArgumentException.class, () -> g.newLong("\u0000group", 1));
        }
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> Group.builder("second").store(Store.directory(dir)).open());
        assertTrue(other.getMessage().contains("'first'"), other.getMessage());
        assertThrows(IllegalStateException.class, () -> Group.builder("x").checkpointEvery(Duration.ofMillis(5)).open());
        assertThrows(IllegalArgumentException.class, () -> Group.builder("x").checkpointEvery(Duration.ofNanos(10)));
    }

    @Test
    void aGroupWithoutAStoreIsDurableAtOnceAndKeepsLogsInMemory() {
        try (Group g = Group.inMemory("plain")) {
            assertFalse(g.isDurable());
            assertTrue(g.barrier().isDone());
            g.log("l").append(new byte[] {9});
            assertEquals(1, g.log("l").nextNumber());
        }
    }

    @Test
    void historyIsNotTrimmedPastWhatIsDurable() {
        try (Group g = Group.builder("pinned").store(Store.directory(dir)).checkpointEvery(Duration.ofHours(1))
                .retainCheckpoints(2).open()) {
            TLong x = g.newLong("x", 0);
            g.barrier().join();
            for (int i = 1; i <= 10; i++) {
                x.set(i);
                g.checkpoint();
            }
            assertTrue(g.history().size() > 2, "checkpoints not yet durable stay: " + g.history().size());
            g.barrier().join();
            assertEquals(2, g.history().size());
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals(10, g.longRef("x").get());
        }
    }
}
