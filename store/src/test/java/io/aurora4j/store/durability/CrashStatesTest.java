package io.aurora4j.store.durability;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.internal.DirectoryStore;
import io.aurora4j.store.testing.DeleterHooksIO;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.store.testing.FaultInjectingIO.Event;
import io.aurora4j.store.testing.FaultInjectingIO.Image;
import io.aurora4j.store.testing.RandomCheckpoints;
import io.aurora4j.store.testing.StateModel;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every crash state of a checkpoint commit (ALICE-style enumeration): the file operations of one commit —
 * segment creation, writes, the force, compaction's deletions and directory forces — are recorded, and for
 * every prefix of them, every prefix with one operation left out that no later force in the prefix made
 * durable, and every torn last write, the disk is rebuilt and reopened. Recovery must yield the previous
 * checkpoint or the new one, exactly, with every retained checkpoint intact.
 */
class CrashStatesTest {
    private static final Path DIR = Path.of("/disk/store");

    /**
     * Deletions in the commit (backgroundDeletes off): a recording of one commit must hold every file operation
     * it causes, in order. The background deleter's crash states are PowerCutTest's and
     * {@link #aSegmentWhoseBackgroundDeletionWasPendingAtACrashIsScannedThenDeletedByTheNextCompaction}'s.
     */
    private static Store open(FaultInjectingIO io) {
        return Store.directoryBuilder(DIR).segmentBytes(3000).retainCheckpoints(2).backgroundDeletes(false).io(io).open();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyCrashStateOfEveryCommitRecoversToThePreviousOrTheNewCheckpoint() {
        FaultInjectingIO io = new FaultInjectingIO(5);
        RandomCheckpoints work = new RandomCheckpoints(99).maxChanges(6).fullChance(0.25).bigPageEvery(0).abortChance(0.1);
        int states = 0;
        TreeSet<String> kinds = new TreeSet<>();
        try (Store store = open(io)) {
            for (int i = 0; i < 30; i++) {
                long prev = work.lastCommitted();
                Image before = io.image();
                io.startRecording();
                work.writeOne(store);
                List<Event> events = io.stopRecording();
                events.forEach(e -> kinds.add(e.getClass().getSimpleName()));
                states += checkAllCrashStates(before, events, prev, work.lastCommitted(), work.committed(), "commit " + i);
            }
        }
        // the workload must have exercised segment creation and compaction, not only appends
        assertTrue(kinds.containsAll(List.of("Create", "Write", "Force", "ForceDirectory", "Delete")), "events " + kinds);
        assertTrue(states > 500, "only " + states + " crash states");
    }

    /**
     * Every crash state of cleaning commits: incremental checkpoints with eager cleaning, so that the commits
     * write copies of old records before their COMMIT and then delete the segments the copies freed.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void everyCrashStateOfEveryCleaningCommitRecoversToThePreviousOrTheNewCheckpoint() {
        FaultInjectingIO io = new FaultInjectingIO(7);
        RandomCheckpoints work = new RandomCheckpoints(101).maxChanges(6).fullChance(0).bigPageEvery(0).abortChance(0.05);
        int states = 0;
        int cleaningCommits = 0;
        TreeSet<String> kinds = new TreeSet<>();
        try (Store store = Store.directoryBuilder(DIR).segmentBytes(3000).retainCheckpoints(2).cleaningTrigger(0)
                .backgroundDeletes(false).io(io).open()) {
            DirectoryStore d = (DirectoryStore) store;
            for (int i = 0; i < 40; i++) {
                long prev = work.lastCommitted();
                long relocated = d.relocatedRecords();
                Image before = io.image();
                io.startRecording();
                work.writeOne(store);
                List<Event> events = io.stopRecording();
                if (d.relocatedRecords() == relocated) {
                    continue; // no copy in this commit: the other test covers those
                }
                cleaningCommits++;
                events.forEach(e -> kinds.add(e.getClass().getSimpleName()));
                states += checkAllCrashStates(before, events, prev, work.lastCommitted(), work.committed(),
                        "cleaning commit " + i);
            }
        }
        assertTrue(cleaningCommits >= 15, "only " + cleaningCommits + " commits copied records forward");
        assertTrue(kinds.containsAll(List.of("Write", "Force", "Delete")), "events " + kinds);
        assertTrue(states > 500, "only " + states + " crash states");
    }

    /**
     * With background deletes, compaction makes FLOOR durable in the commit and leaves the deletions to the
     * deleter, so a power cut can find a dead segment still on disk while FLOOR already names a later first
     * segment — and, as here, with several more compaction rounds queued behind it. Recovery scans it like any
     * other (replaying more than the floor needs changes nothing: only dead prefixes are deleted) and the next
     * compaction deletes it.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSegmentWhoseBackgroundDeletionWasPendingAtACrashIsScannedThenDeletedByTheNextCompaction() throws Exception {
        FaultInjectingIO disk = new FaultInjectingIO(11);
        DeleterHooksIO io = new DeleterHooksIO(disk);
        io.holdDeletes();
        RandomCheckpoints work = new RandomCheckpoints(13).maxChanges(6).fullChance(0.5).bigPageEvery(0);
        Store store = Store.directoryBuilder(DIR).segmentBytes(3000).retainCheckpoints(2).io(io).open();
        Path held = null;
        for (int i = 0; i < 200 && held == null; i++) {
            work.writeOne(store);
            for (int spin = 0; spin < 20 && held == null; spin++) {
                held = io.held();
                if (held == null) {
                    Thread.sleep(1); // a compaction hands its deletions over; the deleter then takes the first
                }
            }
        }
        assertNotNull(held, "no compaction in 200 checkpoints");
        for (int i = 0; i < 20; i++) {
            work.writeOne(store); // more compaction rounds: FLOOR moves on while the deletions wait
        }
        long acknowledged = work.lastCommitted();
        disk.powerCut(FaultInjectingIO.CutMode.LOSE_UNFORCED);
        io.release(); // the held deletion now meets the dead disk: the rest are abandoned
        store.close();
        disk.powerOn();

        String heldName = held.getFileName().toString();
        assertTrue(disk.list(DIR).contains(heldName), heldName + " survived the cut");
        ByteBuffer floor = ByteBuffer.wrap(disk.image().files().get(DIR.resolve("FLOOR"))).order(ByteOrder.LITTLE_ENDIAN);
        long firstKept = floor.getLong(16);
        long heldId = Long.parseLong(heldName.substring("segment-".length(), heldName.length() - ".log".length()));
        assertTrue(heldId < firstKept, "FLOOR names segment " + firstKept + " as the first kept, after " + heldName);

        try (Store again = Store.directoryBuilder(DIR).segmentBytes(3000).retainCheckpoints(2).io(disk).open()) {
            assertEquals(acknowledged, again.lastDurable().orElseThrow().id());
            for (StoredCheckpoint cp : again.checkpoints()) {
                StateModel model = work.committed().get(cp.id());
                assertNotNull(model, "retained checkpoint " + cp.id() + " is unknown");
                assertNull(model.difference(again.state(cp.id())), "checkpoint " + cp.id());
            }
            DirectoryStore d = (DirectoryStore) again;
            assertTrue(disk.list(DIR).contains(heldName), "recovery scans the leftover; compaction deletes it");
            work.writeOne(again);
            assertTrue(d.awaitDeletions(Duration.ofSeconds(10)));
            assertFalse(disk.list(DIR).contains(heldName), "the next compaction deleted the leftover");
            long files = disk.list(DIR).stream().filter(n -> n.startsWith("segment-")).count();
            assertEquals(d.segmentCount(), files, "the directory holds exactly the segments the store uses");
            for (StoredCheckpoint cp : again.checkpoints()) {
                assertNull(work.committed().get(cp.id()).difference(again.state(cp.id())), "checkpoint " + cp.id());
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyCrashStateOfALargeCommitWrittenInSeveralWrites() {
        FaultInjectingIO io = new FaultInjectingIO(6);
        StateModel first = new StateModel();
        StateModel second;
        byte[] big = new byte[(3 << 20) / 2];
        new Random(1).nextBytes(big);
        try (Store store = open(io)) {
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                w.putObject("r", (byte) 1, new byte[]{1});
                w.commit();
                first.putObject("r", (byte) 1, new byte[]{1});
            }
            second = first.copy();
            Image before = io.image();
            io.startRecording();
            try (CheckpointWriter w = store.begin(2, 1, "big")) {
                for (int p = 0; p < 3; p++) {
                    w.putPage("r", p, new UnsafeBuffer(big), 0, big.length); // 1.5 MiB pages: one write each
                    second.putPage("r", p, big);
                }
                w.commit();
            }
            List<Event> events = io.stopRecording();
            assertTrue(events.stream().filter(e -> e instanceof Event.Write).count() >= 3, "events " + events);
            int states = checkAllCrashStates(before, events, 1, 2, Map.of(1L, first, 2L, second), "large commit");
            assertTrue(states > 20, "only " + states + " crash states");
        }
    }

    /** Rebuilds every crash state of {@code events} over {@code before}; returns how many were checked. */
    private static int checkAllCrashStates(Image before, List<Event> events, long prev, long next,
                                           Map<Long, StateModel> models, String what) {
        int count = 0;
        for (int k = 0; k <= events.size(); k++) {
            List<Event> prefix = events.subList(0, k);
            // once every operation of the commit happened, it returned: only the new checkpoint will do
            long earliest = k == events.size() ? next : prev;
            check(before.apply(prefix, -1), earliest, next, models, what + ", first " + k + " of " + events);
            count++;
            for (int omit = 0; omit < k; omit++) {
                if (persistedLater(prefix, omit)) {
                    continue; // a later force made it durable: a crash cannot lose it
                }
                List<Event> without = new ArrayList<>(prefix);
                without.remove(omit);
                check(before.apply(without, -1), earliest, next, models,
                        what + ", first " + k + " without " + omit + " of " + events);
                count++;
            }
            if (k > 0 && prefix.get(k - 1) instanceof Event.Write w) {
                for (int torn : tornLengths(w.bytes().length)) {
                    check(before.apply(prefix, torn), prev, next, models,
                            what + ", first " + k + " with the last write torn at " + torn + " of " + events);
                    count++;
                }
            }
        }
        return count;
    }

    private static boolean persistedLater(List<Event> prefix, int i) {
        Event e = prefix.get(i);
        for (int j = i + 1; j < prefix.size(); j++) {
            Event later = prefix.get(j);
            boolean barrier = switch (e) {
                case Event.Write w -> later instanceof Event.Force f && f.path().equals(w.path());
                case Event.Truncate t -> later instanceof Event.Force f && f.path().equals(t.path());
                case Event.Create c -> later instanceof Event.ForceDirectory d && d.directory().equals(c.path().getParent());
                case Event.Delete d -> later instanceof Event.ForceDirectory f && f.directory().equals(d.path().getParent());
                case Event.Rename r -> later instanceof Event.ForceDirectory f && f.directory().equals(r.to().getParent());
                case Event.Force f -> true;           // leaving out a force changes nothing on this model
                case Event.ForceDirectory f -> true;
            };
            if (barrier) {
                return true;
            }
        }
        return false;
    }

    private static List<Integer> tornLengths(int length) {
        TreeSet<Integer> t = new TreeSet<>();
        if (length <= 48) {
            for (int i = 0; i < length; i++) {
                t.add(i);
            }
        } else {
            Random r = new Random(length);
            for (int i : new int[]{0, 1, 4, 8, 9, 17, length / 2, length - 33, length - 9, length - 1}) {
                t.add(i);
            }
            for (int i = 0; i < 6; i++) {
                t.add(r.nextInt(length));
            }
        }
        return new ArrayList<>(t);
    }

    private static void check(Image image, long prev, long next, Map<Long, StateModel> models, String what) {
        try (Store store = open(FaultInjectingIO.of(image, 1))) {
            long last = store.lastDurable().map(StoredCheckpoint::id).orElse(-1L);
            assertTrue(last == prev || last == next, what + ": recovered " + last + ", expected " + prev + " or " + next);
            for (StoredCheckpoint cp : store.checkpoints()) {
                StateModel model = models.get(cp.id());
                assertNotNull(model, what + ": retained checkpoint " + cp.id() + " is unknown");
                assertNull(model.difference(store.state(cp.id())), what + ": checkpoint " + cp.id());
            }
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }
}
