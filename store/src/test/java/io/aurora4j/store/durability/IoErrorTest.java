package io.aurora4j.store.durability;

import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.internal.DirectoryStore;
import io.aurora4j.store.testing.DeleterHooksIO;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.store.testing.FaultInjectingIO.CutMode;
import io.aurora4j.store.testing.FaultInjectingIO.Op;
import io.aurora4j.store.testing.RandomCheckpoints;
import io.aurora4j.store.testing.StateModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An I/O error at any call of a checkpoint commit or of recovery, once or from then on: the store fails
 * closed — the commit throws {@link StoreFailedException}, every later begin and log append too, a failed
 * force is never retried — and nothing acknowledged is lost when the directory is reopened on a healthy disk,
 * with or without a power cut in between.
 */
class IoErrorTest {
    private static final Path DIR = Path.of("/disk/store");
    private static final int COMMITS = 20;
    private static final long SEED = 77;

    private static Store open(FaultInjectingIO io) {
        return open(io, false);
    }

    /**
     * {@code cleaning}: cleaning as eager as it gets (trigger 0), so that most commits copy records forward.
     * Deletions in the commit (backgroundDeletes off): the tests that fail the n-th call of a commit count the
     * calls a commit makes, which the background deleter would make after it, at a time of its own. Its
     * failures are {@link #aFailedBackgroundDeletionOrDirectoryForceFailsTheStoreAtTheNextOperation}'s.
     */
    private static Store open(FaultInjectingIO io, boolean cleaning) {
        var b = Store.directoryBuilder(DIR).segmentBytes(2500).retainCheckpoints(2).backgroundDeletes(false).io(io);
        return (cleaning ? b.cleaningTrigger(0) : b).open();
    }

    /** Incremental checkpoints only when cleaning is tested: a full one would leave nothing to clean. */
    private static RandomCheckpoints workload(boolean cleaning) {
        return new RandomCheckpoints(SEED).maxChanges(6).fullChance(cleaning ? 0 : 0.4).bigPageEvery(0);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anyFailedCallOfACommitFailsTheStoreClosedAndLosesNothingAcknowledged() {
        EnumMap<Op, Integer> sites = failEveryCallOfEveryCommit(false);
        // commits write, force, create segments, force the directory and delete compacted segments
        assertTrue(sites.keySet().containsAll(List.of(Op.WRITE, Op.FORCE, Op.OPEN, Op.FORCE_DIRECTORY, Op.DELETE)),
                "call sites seen: " + sites);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void anyFailedCallOfACleaningCommitFailsClosedOrOnlyStopsCleaning() {
        EnumMap<Op, Integer> sites = failEveryCallOfEveryCommit(true);
        // cleaning commits read the records they copy forward: a failed read stops cleaning, not the commit
        assertTrue(sites.keySet().containsAll(List.of(Op.READ, Op.WRITE, Op.FORCE, Op.DELETE)), "call sites seen: " + sites);
        assertTrue(sites.get(Op.READ) > 10, "reads failed in cleaning commits: " + sites.get(Op.READ));
    }

    private static EnumMap<Op, Integer> failEveryCallOfEveryCommit(boolean cleaning) {
        int runs = 0;
        EnumMap<Op, Integer> sites = new EnumMap<>(Op.class);
        for (int commit = 0; commit < COMMITS; commit++) {
            Map<Op, Long> calls = dryRun(commit, cleaning);
            for (Map.Entry<Op, Long> e : calls.entrySet()) {
                for (int nth = 1; nth <= e.getValue(); nth++) {
                    for (boolean persistent : new boolean[]{false, true}) {
                        for (boolean powerCut : new boolean[]{false, true}) {
                            failOneCommit(commit, e.getKey(), nth, persistent, powerCut, cleaning);
                            runs++;
                        }
                    }
                    sites.merge(e.getKey(), 1, Integer::sum);
                }
            }
        }
        assertTrue(runs > 100, "only " + runs + " runs");
        return sites;
    }

    /** The calls commit {@code commit} makes, by operation. */
    private static Map<Op, Long> dryRun(int commit, boolean cleaning) {
        FaultInjectingIO io = new FaultInjectingIO(SEED);
        RandomCheckpoints work = workload(cleaning);
        try (Store store = open(io, cleaning)) {
            for (int i = 0; i < commit; i++) {
                work.writeOne(store);
            }
            EnumMap<Op, Long> before = counts(io);
            work.writeOne(store);
            EnumMap<Op, Long> after = counts(io);
            after.replaceAll((op, n) -> n - before.get(op));
            after.values().removeIf(n -> n == 0);
            return after;
        }
    }

    private static EnumMap<Op, Long> counts(FaultInjectingIO io) {
        EnumMap<Op, Long> m = new EnumMap<>(Op.class);
        for (Op op : Op.values()) {
            m.put(op, io.count(op));
        }
        return m;
    }

    private static void failOneCommit(int commit, Op op, int nth, boolean persistent, boolean powerCut,
                                      boolean cleaning) {
        String what = (cleaning ? "cleaning, " : "") + "commit " + commit + ", " + op + " call " + nth
                + (persistent ? " and later" : " once") + (powerCut ? ", then a power cut" : "");
        FaultInjectingIO io = new FaultInjectingIO(SEED);
        RandomCheckpoints work = workload(cleaning);
        Store store = open(io, cleaning);
        for (int i = 0; i < commit; i++) {
            work.writeOne(store);
        }
        long acknowledged = work.lastCommitted();
        io.failOn(op, nth, persistent);
        boolean committed;
        try {
            work.writeOne(store);
            committed = true;
        } catch (StoreFailedException e) {
            committed = false;
            assertInstanceOf(IOException.class, e.getCause(), what);
        }
        if (op == Op.READ) {
            // a commit reads only to copy records forward: a failed read leaves them where they are
            assertTrue(committed && !store.isFailed(), what + ": a failed read must not fail the commit or the store");
            assertTrue(((DirectoryStore) store).cleaningStalled().orElseThrow().contains("injected"), what);
            // with cleaning stopped, the store falls back on asking for a full checkpoint when it pays off
            DirectoryStore d = (DirectoryStore) store;
            assertEquals(d.reclaimableBytes() > Math.max(2500, d.liveBytes()), d.suggestFull(), what);
        }
        if (!committed || store.isFailed()) {
            assertTrue(store.isFailed(), what + ": a failed commit must fail the store");
            long forces = io.count(Op.FORCE);
            StoreFailedException later = assertThrows(StoreFailedException.class,
                    () -> store.begin(1000, -1, null), what);
            assertTrue(later.getCause().getMessage().contains("injected"), what + ": cause " + later.getCause());
            assertThrows(StoreFailedException.class, () -> store.log("after").append(new byte[1]), what);
            assertEquals(forces, io.count(Op.FORCE), what + ": a failed store must not force again");
            // what was committed before the failure stays readable
            long last = store.lastDurable().map(StoredCheckpoint::id).orElse(-1L);
            assertTrue(last == acknowledged || last == work.inProgress(), what);
        }
        store.close();
        io.heal();
        if (powerCut) {
            io.powerCut(CutMode.LOSE_UNFORCED);
            io.powerOn();
        }
        try (Store again = open(io, cleaning)) {
            long last = again.lastDurable().map(StoredCheckpoint::id).orElse(-1L);
            if (committed) {
                assertEquals(work.lastCommitted(), last, what + ": an acknowledged checkpoint was lost");
            } else {
                assertTrue(last == acknowledged || last == work.inProgress(), what + ": reopened at " + last);
                work.recoveredAt(last);
            }
            for (StoredCheckpoint cp : again.checkpoints()) {
                StateModel model = work.committed().get(cp.id());
                assertNotNull(model, what + ": unknown checkpoint " + cp.id());
                assertNull(model.difference(again.state(cp.id())), what + ": checkpoint " + cp.id());
            }
            work.writeOne(again); // and the reopened store works
        }
    }

    /**
     * With background deletes (the default), a compacted segment's deletion and its directory force run on the
     * store's deleter after the commit returned: a failure there cannot fail that commit, which stands, but
     * fails the store closed from then on — the next begin throws {@link StoreFailedException} naming the
     * injected cause, and so does a log append. Nothing acknowledged is lost on a healthy reopen (with or
     * without a power cut), and the reopened store deletes what was left until the directory holds exactly
     * the segments it uses.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFailedBackgroundDeletionOrDirectoryForceFailsTheStoreAtTheNextOperation() throws IOException {
        for (Op op : List.of(Op.DELETE, Op.FORCE_DIRECTORY)) {
            for (boolean powerCut : new boolean[]{false, true}) {
                String what = "background " + op + (powerCut ? ", then a power cut" : "");
                FaultInjectingIO disk = new FaultInjectingIO(SEED);
                DeleterHooksIO io = new DeleterHooksIO(disk);
                io.failOnce(op);
                RandomCheckpoints work = workload(false);
                Store store = Store.directoryBuilder(DIR).segmentBytes(2500).retainCheckpoints(2).io(io).open();
                DirectoryStore d = (DirectoryStore) store;
                int commits = 0;
                while (!io.failed()) {
                    assertTrue(commits++ < 200, what + ": the deleter never ran");
                    work.writeOne(store); // succeeds: the failure, if it comes, comes after the commit returned
                    d.awaitDeletions(Duration.ofSeconds(10));
                }
                assertTrue(store.isFailed(), what + ": a failed deletion must fail the store");
                assertEquals(work.lastCommitted(), store.lastDurable().orElseThrow().id(), what + ": the commit stands");
                long forces = disk.count(Op.FORCE);
                StoreFailedException later = assertThrows(StoreFailedException.class,
                        () -> store.begin(1000, -1, null), what);
                assertTrue(later.getCause().getMessage().contains("injected failure of the deleter's " + op),
                        what + ": cause " + later.getCause());
                assertThrows(StoreFailedException.class, () -> store.log("after").append(new byte[1]), what);
                assertEquals(forces, disk.count(Op.FORCE), what + ": a failed store must not force again");
                store.close();
                if (powerCut) {
                    disk.powerCut(CutMode.LOSE_UNFORCED);
                    disk.powerOn();
                }
                try (Store again = Store.directoryBuilder(DIR).segmentBytes(2500).retainCheckpoints(2).io(disk).open()) {
                    assertEquals(work.lastCommitted(), again.lastDurable().orElseThrow().id(), what);
                    for (StoredCheckpoint cp : again.checkpoints()) {
                        assertNull(work.committed().get(cp.id()).difference(again.state(cp.id())), what);
                    }
                    DirectoryStore a = (DirectoryStore) again;
                    for (int i = 0; i < 10; i++) {
                        work.writeOne(again);
                    }
                    assertTrue(a.awaitDeletions(Duration.ofSeconds(10)), what);
                    assertFalse(again.isFailed(), what);
                    long files = disk.list(DIR).stream().filter(n -> n.startsWith("segment-")).count();
                    assertEquals(a.segmentCount(), files, what + ": leftovers of the failed store were deleted");
                }
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anyFailedCallOfRecoveryFailsTheOpenAndAHealthyReopenRecovers() {
        // a disk with a torn checkpoint at the tail (recovery must truncate it) and a durable log
        FaultInjectingIO io = new FaultInjectingIO(SEED);
        RandomCheckpoints work = new RandomCheckpoints(SEED).maxChanges(30).bigPageEvery(0);
        List<String> logged = new ArrayList<>();
        Store store = open(io);
        for (int i = 0; i < 6; i++) {
            work.writeOne(store);
            String r = "record " + i;
            store.log("events").append(r.getBytes(StandardCharsets.UTF_8));
            logged.add(r);
        }
        // the next checkpoint's write reached the disk torn in half, its force never happened
        FaultInjectingIO.Image before = io.image();
        io.startRecording();
        work.writeOne(store);
        List<FaultInjectingIO.Event> events = io.stopRecording();
        store.close();
        int lastWrite = events.size() - 1;
        while (!(events.get(lastWrite) instanceof FaultInjectingIO.Event.Write)) {
            lastWrite--;
        }
        int half = ((FaultInjectingIO.Event.Write) events.get(lastWrite)).bytes().length / 2;
        FaultInjectingIO.Image image = before.apply(events.subList(0, lastWrite + 1), half);

        FaultInjectingIO dry = FaultInjectingIO.of(image, 1);
        EnumMap<Op, Long> calls;
        long expected;
        try (Store s = open(dry)) {
            readLog(s);
            calls = counts(dry);
            expected = s.lastDurable().orElseThrow().id();
        }
        calls.values().removeIf(n -> n == 0);
        assertTrue(calls.getOrDefault(Op.TRUNCATE, 0L) > 0, "recovery must have a torn tail to cut: " + calls);
        work.recoveredAt(expected);

        int runs = 0;
        for (Map.Entry<Op, Long> e : calls.entrySet()) {
            for (int nth = 1; nth <= e.getValue(); nth++) {
                for (boolean persistent : new boolean[]{false, true}) {
                    String what = "recovery, " + e.getKey() + " call " + nth + (persistent ? " and later" : " once");
                    FaultInjectingIO faulty = FaultInjectingIO.of(image, 1);
                    faulty.failOn(e.getKey(), nth, persistent);
                    try (Store s = open(faulty)) {
                        assertEquals(logged, readLog(s), what);
                        assertEquals(expected, s.lastDurable().orElseThrow().id(), what);
                    } catch (StoreException failed) {
                        // fails closed: a clear store exception, never anything else
                        assertFalse(failed instanceof io.aurora4j.store.StoreCorruptedException,
                                what + ": an I/O error is not corruption: " + failed);
                    }
                    faulty.heal();
                    if (persistent) {
                        faulty.powerCut(CutMode.REORDER);
                        faulty.powerOn();
                    }
                    try (Store s = open(faulty)) {
                        assertEquals(expected, s.lastDurable().orElseThrow().id(), what);
                        for (StoredCheckpoint cp : s.checkpoints()) {
                            assertNull(work.committed().get(cp.id()).difference(s.state(cp.id())), what);
                        }
                        assertEquals(logged, readLog(s), what);
                    }
                    runs++;
                }
            }
        }
        assertTrue(runs > 20, "only " + runs + " runs");
    }

    private static List<String> readLog(Store s) {
        DurableLog log = s.log("events");
        List<String> out = new ArrayList<>();
        log.read(0, (n, r) -> out.add(new String(r, StandardCharsets.UTF_8)));
        return out;
    }
}
