package io.aurora4j.store.durability;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.DirectoryStoreBuilder;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.internal.DirectoryStore;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.store.testing.RandomCheckpoints;
import io.aurora4j.store.testing.StateModel;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Cleaning (the directory store copying live records forward out of its oldest segments): every retained
 * checkpoint keeps exactly its state, before and after a reopen, under random incremental workloads with
 * overwrites, removals and kind changes; the directory stays bounded under endless overwrites without a single
 * full checkpoint (and grows without cleaning: the test can tell); a damaged record is never copied.
 * Power cuts and I/O errors during cleaning commits are in {@link PowerCutTest}, {@link CrashStatesTest} and
 * {@link IoErrorTest}.
 */
class CleaningTest {
    @TempDir
    Path dir;

    /**
     * The model-based test: random incremental checkpoints only (a full one would leave nothing to clean),
     * every retained checkpoint compared with the oracle after every commit and after reopens.
     */
    @ParameterizedTest(name = "seed {0}, retain {1}, trigger {2}, fault io {3}, full {4}")
    @CsvSource({"1, 1, 0, false, 0", "2, 3, 0, true, 0", "3, 8, 0, false, 0", "4, 3, 1.0, true, 0",
            "5, 2, 0.25, false, 0", "6, 1, 0, true, 0.03", "7, 4, 0, false, 0.03"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyRetainedCheckpointKeepsItsStateWhileRecordsAreCopiedForward(long seed, int retain, double trigger,
                                                                          boolean faultIo, double fullChance) {
        FaultInjectingIO io = new FaultInjectingIO(seed);
        Path where = faultIo ? Path.of("/disk/store") : dir;
        UnaryOperator<DirectoryStoreBuilder> config = b -> {
            b.retainCheckpoints(retain).segmentBytes(2048).cleaningTrigger(trigger).cleaningBudget(0.5);
            return faultIo ? b.io(io) : b;
        };
        RandomCheckpoints work = new RandomCheckpoints(seed).fullChance(fullChance).maxChanges(10).bigPageEvery(0);
        long relocated = 0;
        int suggested = 0;
        for (int round = 0; round < 6; round++) {
            try (Store store = config.apply(Store.directoryBuilder(where)).open()) {
                if (round > 0) {
                    RoundTripTest.checkRetained(store, work); // reopened: replaying the copies gives the same states
                }
                for (int i = 0; i < 80; i++) {
                    work.writeOne(store);
                    RoundTripTest.checkRetained(store, work);
                    if (store.suggestFull()) {
                        suggested++; // this workload removes and replaces objects with many pages at once
                    }
                }
                relocated += ((DirectoryStore) store).relocatedRecords();
                assertTrue(((DirectoryStore) store).cleaningStalled().isEmpty());
            }
        }
        assertTrue(relocated > 50, "records copied forward: " + relocated);
        System.out.printf("cleaning model test seed %d: %d records copied forward, full suggested at %d of 480%n",
                seed, relocated, suggested);
    }

    /**
     * Issue #10, defect 1: a state taken before cleaning (what a lazily restored region reads its untouched pages
     * from, long after retention dropped its checkpoint) reads every record the newest state still uses after
     * cleaning copied it forward, several times over, and compaction deleted the segments it named; with
     * background deletion on and off. A record the newest state superseded is still reclaimed, and says so.
     */
    @ParameterizedTest(name = "background deletes {0}")
    @CsvSource({"true", "false"})
    void aStateTakenBeforeCleaningReadsTheRecordsItMovedAfterTheirSegmentsAreDeleted(boolean background) {
        byte[] page = new byte[1500];
        new Random(10).nextBytes(page);
        byte[] hot = new byte[1500];
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(1).segmentBytes(4096)
                .backgroundDeletes(background).open()) {
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                w.putObject("r", (byte) 4, new byte[]{1, 2, 3});
                w.putEntry("r", new byte[]{7}, new byte[]{8, 9});
                w.putPage("r", 5, new UnsafeBuffer(page), 0, page.length);
                w.putObject("old", (byte) 1, new byte[]{42});
                w.commit();
            }
            io.aurora4j.store.spi.StoredState first = store.state(1);
            for (long id = 2; id <= 80; id++) {
                hot[0] = (byte) id;
                try (CheckpointWriter w = store.begin(id, id - 1, null)) {
                    w.putObject("hot", (byte) 1, hot);
                    if (id == 2) {
                        w.putObject("old", (byte) 1, new byte[]{43}); // supersedes checkpoint 1's value
                    }
                    w.commit();
                }
            }
            DirectoryStore ds = (DirectoryStore) store;
            assertTrue(ds.relocatedRecords() >= 6, "copied forward more than once: " + ds.relocatedRecords());
            assertTrue(ds.awaitDeletions(Duration.ofSeconds(10)), "background deletions done");
            assertFalse(Files.exists(dir.resolve("segment-0000000000000001.log")), "the first segment was reclaimed");

            byte[] read = new byte[page.length];
            assertEquals(page.length, first.readPage("r", 5, new UnsafeBuffer(read), 0));
            assertArrayEquals(page, read, "a page moved by cleaning, read through the old state");
            byte[][] entry = new byte[1][];
            first.forEachEntry("r", (k, v) -> entry[0] = v);
            assertArrayEquals(new byte[]{8, 9}, entry[0], "an entry moved by cleaning");
            IllegalStateException gone = assertThrows(IllegalStateException.class, first::objects,
                    "checkpoint 1's value of 'old' was superseded, then reclaimed");
            assertTrue(gone.getMessage().contains("reclaimed by compaction"), gone.getMessage());
        }
    }

    /**
     * A value written once pins its segment; without cleaning only a full checkpoint frees what follows it
     * (RoundTripTest.fullCheckpointsLetCompactionReclaimEverythingOld). With cleaning, incremental checkpoints
     * carry it forward and the old segments go.
     */
    @Test
    void aValueWrittenOnceIsCarriedForwardAndOldSegmentsGoWithoutAFullCheckpoint() {
        byte[] big = new byte[3000];
        new Random(3).nextBytes(big);
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(2).segmentBytes(4096).open()) {
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                w.putObject("static", (byte) 1, big);
                w.commit();
            }
            for (long id = 2; id <= 60; id++) {
                try (CheckpointWriter w = store.begin(id, id - 1, null)) {
                    w.putObject("hot", (byte) 1, big);
                    w.commit();
                }
                assertFalse(store.suggestFull(), "checkpoint " + id);
            }
            assertTrue(((DirectoryStore) store).relocatedRecords() > 0);
            assertTrue(((DirectoryStore) store).awaitDeletions(Duration.ofSeconds(10)), "background deletions done");
            assertFalse(Files.exists(dir.resolve("segment-0000000000000001.log")), "the first segment was reclaimed");
            assertTrue(segmentFiles().size() <= 6, "segments " + segmentFiles());
            assertArrayEquals(big, store.state(60).objects().get(0).value());
            assertEquals(List.of("static", "hot"), store.state(60).objects().stream().map(o -> o.id()).toList(),
                    "objects keep their first-write order when copied");
        }
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(2).segmentBytes(4096).open()) {
            assertArrayEquals(big, store.state(60).objects().get(0).value());
            assertArrayEquals(big, store.state(59).objects().get(1).value());
        }
    }

    /**
     * Bounded space: a hot object overwritten at random pages for thousands of checkpoints beside a cold one
     * written once, no full checkpoint ever. With cleaning the segments stay within a bound derived from the
     * policy; without it the directory grows past that bound (so the bound can fail).
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theDirectoryStaysBoundedUnderEndlessOverwritesWithoutAFullCheckpoint() {
        int segment = 16 << 10;
        int retain = 4;
        long[] withCleaning = overwriteCycles(true, segment, retain);
        long live = withCleaning[2];
        long checkpointBytes = withCleaning[3];
        // (1 + trigger) x live behind the floor, the retained checkpoints (and their copies) ahead of it, the
        // segment being written and one segment of slack on each side for whole-segment granularity
        long bound = 2 * live + (long) (retain * checkpointBytes * 1.5) + 3L * segment;
        assertTrue(withCleaning[0] <= bound, "max " + withCleaning[0] + " bytes of segments, bound " + bound
                + " (live " + live + ", checkpoint " + checkpointBytes + ")");
        assertEquals(0, withCleaning[1], "checkpoints at which the store suggested a full one");
        long[] without = overwriteCycles(false, segment, retain);
        assertTrue(without[0] > 3 * bound, "without cleaning, " + without[0] + " bytes (bound " + bound + ")");
        System.out.printf("bounded space: live %d B, at most %d B of segments with cleaning (bound %d), %d B without%n",
                live, withCleaning[0], bound, without[0]);
    }

    /** {max segment bytes after warm-up, times suggestFull said yes, live bytes, mean checkpoint bytes}. */
    private static long[] overwriteCycles(boolean cleaning, int segment, int retain) {
        // on the in-memory disk: thousands of fsyncs on a real one would only measure the machine
        FaultInjectingIO io = new FaultInjectingIO(11);
        Path where = Path.of("/disk/store");
        Random random = new Random(11);
        int pages = 64;
        int pageSize = 512;
        StateModel model = new StateModel();
        long maxBytes = 0;
        long suggested = 0;
        long live;
        long written = 0;
        int cycles = 2000;
        try (Store store = Store.directoryBuilder(where).retainCheckpoints(retain).segmentBytes(segment)
                .cleaning(cleaning).io(io).open()) {
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                for (String id : new String[]{"cold", "hot"}) {
                    w.putObject(id, (byte) 2, new byte[0]);
                    model.putObject(id, (byte) 2, new byte[0]);
                    for (int p = 0; p < (id.equals("cold") ? 16 : pages); p++) {
                        byte[] b = new byte[pageSize];
                        random.nextBytes(b);
                        w.putPage(id, p, new UnsafeBuffer(b), 0, b.length);
                        model.putPage(id, p, b);
                    }
                }
                w.commit();
            }
            for (long id = 2; id <= cycles; id++) {
                try (CheckpointWriter w = store.begin(id, id - 1, null)) {
                    for (int k = 0; k < 8; k++) {
                        int p = random.nextInt(pages);
                        byte[] b = new byte[pageSize];
                        random.nextBytes(b);
                        w.putPage("hot", p, new UnsafeBuffer(b), 0, b.length);
                        model.putPage("hot", p, b);
                    }
                    byte[] key = {(byte) random.nextInt(16)};
                    if (random.nextBoolean()) {
                        w.putEntry("cold", key, key);
                        model.putEntry("cold", key, key);
                    } else {
                        w.removeEntry("cold", key);
                        model.removeEntry("cold", key);
                    }
                    written += w.commit().bytes();
                }
                if (store.suggestFull()) {
                    suggested++;
                }
                if (id > cycles / 3) {
                    // the bound is the store's: deletions it has handed to its deleter count as done
                    assertTrue(((DirectoryStore) store).awaitDeletions(Duration.ofSeconds(10)), "checkpoint " + id);
                    maxBytes = Math.max(maxBytes, segmentBytes(io, where));
                }
            }
            live = ((DirectoryStore) store).liveBytes();
            assertNull(model.difference(store.state(cycles)));
        }
        try (Store store = Store.directoryBuilder(where).retainCheckpoints(retain).segmentBytes(segment).io(io).open()) {
            assertNull(model.difference(store.state(cycles)), "after reopen");
        }
        return new long[]{maxBytes, suggested, live, written / (cycles - 1)};
    }

    /**
     * A record that fails its checksum when cleaning reads it is left in place, cleaning stops (the store says
     * why, naming file and offset), commits go on, the damage is reported to whoever reads the value, and the
     * store falls back on asking for a full checkpoint.
     */
    @Test
    void aDamagedRecordIsNeverCopiedAndStopsCleaning() throws IOException {
        byte[] big = new byte[3000];
        new Random(5).nextBytes(big);
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(2).segmentBytes(4096).open()) {
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                w.putObject("static", (byte) 1, big);
                w.commit();
            }
            // damage the static value on disk behind the open store's back (the scan at open is over)
            try (FileChannel ch = FileChannel.open(dir.resolve("segment-0000000000000001.log"), StandardOpenOption.WRITE,
                    StandardOpenOption.READ)) {
                ByteBuffer one = ByteBuffer.allocate(1);
                ch.read(one, 1500);
                one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
                ch.write(one, 1500);
            }
            boolean suggested = false;
            for (long id = 2; id <= 60; id++) {
                try (CheckpointWriter w = store.begin(id, id - 1, null)) {
                    w.putObject("hot", (byte) 1, big);
                    w.commit();
                }
                suggested |= store.suggestFull();
            }
            DirectoryStore d = (DirectoryStore) store;
            String why = d.cleaningStalled().orElseThrow();
            assertTrue(why.contains("checksum") && why.contains("segment-0000000000000001.log"), why);
            assertEquals(0, d.relocatedRecords(), "the damaged record was copied");
            assertTrue(suggested, "without cleaning the store must ask for a full checkpoint");
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.state(60).objects());
            assertTrue(e.getMessage().contains("segment-0000000000000001.log"), e.getMessage());
        }
    }

    /**
     * A failed write in the middle of the copies: large pages make a cleaning commit flush its buffer several
     * times while copying, and each of its writes fails in turn, once, with a power cut after or not. A write
     * before the force fails the commit and the store, and the reopened store holds exactly the previous
     * checkpoint; a write after it (compaction's FLOOR file) fails the store but not the durable commit.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWriteThatFailsWhileCopyingFailsTheStoreAndLosesNothingCommitted() {
        int cleaningCommit = -1;
        long writes = 0;
        for (int c = 2; c < 12 && cleaningCommit < 0; c++) { // the first commit that copies, and its writes
            FaultInjectingIO io = new FaultInjectingIO(21);
            List<StateModel> models = new java.util.ArrayList<>();
            try (Store store = bigPages(io)) {
                for (int i = 1; i < c; i++) {
                    bigPageCheckpoint(store, i, models);
                }
                long before = io.count(FaultInjectingIO.Op.WRITE);
                bigPageCheckpoint(store, c, models);
                if (((DirectoryStore) store).relocatedRecords() > 0) {
                    cleaningCommit = c;
                    writes = io.count(FaultInjectingIO.Op.WRITE) - before;
                }
            }
        }
        assertTrue(cleaningCommit > 0, "no commit copied records forward");
        assertTrue(writes >= 4, "the cleaning commit wrote only " + writes + " times");
        int thrownBeforeForce = 0;
        int thrownAfterForce = 0;
        for (int nth = 1; nth <= writes; nth++) {
            for (boolean powerCut : new boolean[]{false, true}) {
                String what = "write " + nth + " of " + writes + " of cleaning commit " + cleaningCommit
                        + (powerCut ? ", then a power cut" : "");
                FaultInjectingIO io = new FaultInjectingIO(21);
                List<StateModel> models = new java.util.ArrayList<>();
                Store store = bigPages(io);
                for (int i = 1; i < cleaningCommit; i++) {
                    bigPageCheckpoint(store, i, models);
                }
                io.failOn(FaultInjectingIO.Op.WRITE, nth, false);
                long expected;
                try {
                    bigPageCheckpoint(store, cleaningCommit, models);
                    expected = cleaningCommit; // the write that failed was compaction's FLOOR file, after the force
                    thrownAfterForce++;
                } catch (io.aurora4j.store.StoreFailedException e) {
                    expected = cleaningCommit - 1;
                    thrownBeforeForce++;
                }
                assertTrue(store.isFailed(), what);
                store.close();
                io.heal();
                if (powerCut) {
                    io.powerCut(FaultInjectingIO.CutMode.REORDER);
                    io.powerOn();
                }
                try (Store again = bigPages(io)) {
                    assertEquals(expected, again.lastDurable().orElseThrow().id(), what);
                    for (var cp : again.checkpoints()) {
                        assertNull(models.get((int) cp.id() - 1).difference(again.state(cp.id())), what + ", checkpoint " + cp.id());
                    }
                    bigPageCheckpoint(again, expected + 1, models.subList(0, (int) expected)); // and it works on
                }
            }
        }
        // the copies take several writes of their own (the buffer fills while copying), each of which failed once
        assertTrue(thrownBeforeForce >= 6, "commits that failed before their force: " + thrownBeforeForce);
        assertTrue(thrownAfterForce > 0, "no failure hit compaction after a cleaning commit's force");
    }

    private static Store bigPages(FaultInjectingIO io) {
        return Store.directoryBuilder(Path.of("/disk/store")).segmentBytes(2 << 20).retainCheckpoints(1)
                .cleaningTrigger(0).cleaningBudget(4).io(io).open();
    }

    /**
     * Checkpoint {@code id}: the first writes three cold pages of 600 KiB and a hot one, each later one rewrites
     * the hot page, so the cold pages end up alone in old segments and are copied forward, each copy larger than
     * half the store's 1 MiB buffer. Appends the model of what it commits to {@code models}.
     */
    private static void bigPageCheckpoint(Store store, long id, List<StateModel> models) {
        StateModel model = models.isEmpty() ? new StateModel() : models.get(models.size() - 1).copy();
        byte[] page = new byte[600 << 10];
        new Random(id).nextBytes(page);
        try (CheckpointWriter w = store.begin(id, id == 1 ? -1 : id - 1, null)) {
            if (id == 1) {
                w.putObject("cold", (byte) 2, new byte[0]);
                model.putObject("cold", (byte) 2, new byte[0]);
                for (int p = 0; p < 3; p++) {
                    page[0] = (byte) p;
                    w.putPage("cold", p, new UnsafeBuffer(page), 0, page.length);
                    model.putPage("cold", p, page);
                }
                w.putObject("hot", (byte) 2, new byte[0]);
                model.putObject("hot", (byte) 2, new byte[0]);
            }
            w.putPage("hot", 0, new UnsafeBuffer(page), 0, page.length);
            model.putPage("hot", 0, page);
            w.commit();
        }
        models.add(model);
    }

    private static long segmentBytes(FaultInjectingIO io, Path where) {
        try {
            long sum = 0;
            for (String name : io.list(where)) {
                if (name.startsWith("segment-")) {
                    try (var h = io.open(where.resolve(name), false)) {
                        sum += h.size();
                    }
                }
            }
            return sum;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> segmentFiles() {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("segment-")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
