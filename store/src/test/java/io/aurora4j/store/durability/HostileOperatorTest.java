package io.aurora4j.store.durability;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.internal.DirectoryStore;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.store.testing.FaultInjectingIO.Hostile;
import io.aurora4j.store.testing.RandomCheckpoints;
import io.aurora4j.store.testing.StateModel;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A hostile file system and operator (issue #10), on the same fault-injecting disk as the power-cut,
 * crash-state and I/O-error tests: the lock file deleted while a store is open, stray, renamed and foreign
 * segment files, tails cut at every record boundary and inside records or deleted whole, a read-only
 * remount, a second opener in this JVM and in another process. Each scenario holds the store to one oracle
 * ({@link #verdict}): it opens with exactly the state of an acknowledged checkpoint — the newest, or an older
 * one only where the loss cannot be detected, and then it says so ({@link DirectoryStore#recoveryWarnings()})
 * unless the cut fell exactly between checkpoints — or it refuses with a clear exception and leaves every file
 * as it was, so that removing the stray file or accepting the loss opens it.
 */
class HostileOperatorTest {
    private static final Path DIR = Path.of("/disk/store");
    private static final Path LOCK = DIR.resolve("LOCK");
    private static final Path MARK = DIR.resolve("HIGHWATER");
    private static final int HEADER = 9; // RecordDescriptor.HEADER_LENGTH
    private static final byte BEGIN = 1;
    private static final byte COMMIT = 7;

    /** How the open met each hostile act, over the whole class; printed at the end. */
    enum Outcome { EXACT, OLDER_REPORTED, OLDER_AT_A_CHECKPOINT_BOUNDARY, REFUSED }

    private static final Map<Outcome, Integer> OUTCOMES = new EnumMap<>(Outcome.class);
    private static final Map<Hostile, Long> ACTS = new EnumMap<>(Hostile.class);

    @AfterAll
    static void report() {
        System.out.println("HostileOperatorTest: hostile acts " + ACTS + "; outcomes " + OUTCOMES);
    }

    private static Store open(FaultInjectingIO io, boolean acceptLost) {
        return Store.directoryBuilder(DIR).segmentBytes(700).retainCheckpoints(8).io(io)
                .acceptLostCheckpoints(acceptLost).open();
    }

    /** A store of {@code n} checkpoints over several segments, then closed cleanly or cut off by a power cut. */
    private record Built(FaultInjectingIO io, RandomCheckpoints work) {
        TreeMap<Long, StateModel> committed() {
            return work.committed();
        }

        List<Path> segments() {
            return io.image().files().keySet().stream()
                    .filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
        }

        void tally() {
            for (Hostile h : Hostile.values()) {
                ACTS.merge(h, io.hostileCount(h), Long::sum);
            }
        }
    }

    private static Built build(long seed, int n, boolean cleanClose) {
        FaultInjectingIO io = new FaultInjectingIO(seed);
        RandomCheckpoints work = new RandomCheckpoints(seed).maxChanges(5).fullChance(0.2).bigPageEvery(0);
        Store store = open(io, false);
        for (int i = 0; i < n; i++) {
            work.writeOne(store);
        }
        if (cleanClose) {
            store.close();
        } else {
            io.powerCut(); // everything acknowledged was forced; the mark is as of the newest segment's start
            store.close();
            io.powerOn();
        }
        return new Built(io, work);
    }

    /** The oracle: see the class comment. {@code what} names the act for messages. */
    private static Outcome verdict(FaultInjectingIO io, TreeMap<Long, StateModel> committed, String what) {
        Map<Path, byte[]> before = io.image().files();
        Outcome outcome;
        try (Store store = open(io, false)) {
            long last = checkExact(store, committed, what);
            List<String> warnings = ((DirectoryStore) store).recoveryWarnings();
            outcome = last == committed.lastKey() ? Outcome.EXACT
                    : warnings.isEmpty() ? Outcome.OLDER_AT_A_CHECKPOINT_BOUNDARY : Outcome.OLDER_REPORTED;
        } catch (StoreException e) {
            assertFalse(e instanceof StoreFailedException, what + ": a refusal, not an I/O failure: " + e);
            assertNotNull(e.getMessage(), what);
            Map<Path, byte[]> after = io.image().files();
            assertEquals(before.keySet(), after.keySet(), what + ": a refused open changed the directory: " + e);
            before.forEach((p, b) -> assertArrayEquals(b, after.get(p), what + ": a refused open changed " + p));
            outcome = Outcome.REFUSED;
        }
        OUTCOMES.merge(outcome, 1, Integer::sum);
        return outcome;
    }

    /** Every retained checkpoint equals the oracle's; returns the newest id. */
    private static long checkExact(Store store, TreeMap<Long, StateModel> committed, String what) {
        for (StoredCheckpoint cp : store.checkpoints()) {
            StateModel model = committed.get(cp.id());
            assertNotNull(model, what + ": recovered a checkpoint never acknowledged: " + cp.id());
            assertNull(model.difference(store.state(cp.id())), what + ": checkpoint " + cp.id());
        }
        return store.lastDurable().map(StoredCheckpoint::id).orElse(-1L);
    }

    /** After a refusal for a provable loss, the opt-in opens at an acknowledged checkpoint and says what it lost. */
    private static long acceptLoss(FaultInjectingIO io, TreeMap<Long, StateModel> committed, String what) {
        try (Store store = open(io, true)) {
            long last = checkExact(store, committed, what + " (accepted)");
            assertFalse(((DirectoryStore) store).recoveryWarnings().isEmpty(), what + ": an accepted loss is reported");
            return last;
        }
    }

    // ------------------------------------------------------------------------------------- defect 6: LOCK

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void issue10LockFileDeletedWhileOpenStillRefusesASecondOpenerAndLosesNothing() {
        FaultInjectingIO io = new FaultInjectingIO(6);
        RandomCheckpoints work = new RandomCheckpoints(6).maxChanges(5).fullChance(0.2).bigPageEvery(0);
        Store first = open(io, false);
        for (int round = 0; round < 4; round++) {
            work.writeOne(first);
            io.operatorDelete(LOCK); // an operator's stale-lock clean-up
            StoreException e = assertThrows(StoreException.class, () -> open(io, false).close(),
                    "a second opener got in after LOCK was deleted");
            assertTrue(e.getMessage().contains("locked by another store"), e.getMessage());
            for (int i = 0; i < 6; i++) { // across segment starts: the newest segment is always locked
                work.writeOne(first);
            }
        }
        first.close();
        assertEquals(Outcome.EXACT, verdict(io, work.committed(), "LOCK deleted while open"));
        new Built(io, work).tally();
    }

    // ----------------------------------------------------------------------- defect 7: stray segment files

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void issue10StrayRenamedAndForeignSegmentsAreRefusedNamedAndLeftUntouched() {
        Built other = build(99, 30, true); // another store, for a foreign segment
        byte[] foreign = other.io.bytes(other.segments().getLast());
        for (boolean clean : new boolean[]{true, false}) {
            Built b = build(7, 24, clean);
            List<Path> segs = b.segments();
            Path newest = segs.getLast();
            long newestId = Long.parseLong(newest.getFileName().toString().substring(8, 24));
            Path above = DIR.resolve(String.format("segment-%016d.log", newestId + 1000));
            List<byte[]> strays = List.of(
                    "not a segment at all, but named like one".getBytes(StandardCharsets.UTF_8),
                    foreign,                          // a segment of another store, copied in
                    b.io.bytes(segs.getFirst()));     // one of its own, copied to a later name
            for (byte[] stray : strays) {
                b.io.operatorPut(above, stray);
                String what = "stray " + above.getFileName() + " of " + stray.length + " bytes (clean close " + clean + ")";
                StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> open(b.io, false).close(), what);
                assertEquals(above, e.file(), what + ": " + e.getMessage());
                assertEquals(Outcome.REFUSED, verdict(b.io, b.committed(), what));
                // the opt-in accepts lost checkpoints, never a file that is not the store's
                assertThrows(StoreCorruptedException.class, () -> open(b.io, true).close(), what);
                assertArrayEquals(stray, b.io.bytes(above), what + ": the stray file must be left as it was");
                b.io.operatorDelete(above);
                assertEquals(Outcome.EXACT, verdict(b.io, b.committed(), what + ", moved away"));
            }
            // an empty file above the newest is what a crash while starting a segment leaves: it goes, loudly
            b.io.operatorPut(above, new byte[0]);
            try (Store s = open(b.io, false)) {
                assertEquals(b.committed().lastKey(), checkExact(s, b.committed(), "empty stray"));
                assertFalse(((DirectoryStore) s).recoveryWarnings().isEmpty());
            }
            assertNull(b.io.bytes(above));
            // the newest segment renamed to a later name: refused, naming it; renamed back, all is there
            b.io.operatorRename(newest, above);
            assertEquals(Outcome.REFUSED, verdict(b.io, b.committed(), "newest segment renamed up"));
            b.io.operatorRename(above, newest);
            // an older segment renamed below the first: out of order, the chain of checkpoints breaks
            Path middle = segs.get(segs.size() / 2);
            Path moved = DIR.resolve(String.format("segment-%016d.log", 0));
            b.io.operatorRename(middle, moved);
            assertEquals(Outcome.REFUSED, verdict(b.io, b.committed(), "older segment renamed down"));
            b.io.operatorRename(moved, middle);
            assertEquals(Outcome.EXACT, verdict(b.io, b.committed(), "all put back"));
            b.tally();
        }
        other.tally();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void issue10AStrayFileNamedLikeTheNextSegmentIsNeverAdoptedByTheWriter() {
        FaultInjectingIO io = new FaultInjectingIO(70);
        try (Store store = open(io, false)) {
            for (long id = 1; id <= 3; id++) {
                full(store, id, new byte[700]); // each fills a segment: every begin starts the next one
            }
            // the store starts segment-...4 at the next begin (the current one is past 700 bytes)
            Path next = DIR.resolve(String.format("segment-%016d.log", 4));
            io.operatorPut(next, "someone else's".getBytes(StandardCharsets.UTF_8));
            StoreException e = assertThrows(StoreException.class, () -> store.begin(4, -1, null));
            assertTrue(e.getMessage().contains(next.getFileName().toString()), e.getMessage());
            assertFalse(store.isFailed(), "refusing a begin does not fail the store");
            io.operatorDelete(next);
            full(store, 4, new byte[10]);
        }
        try (Store store = open(io, false)) {
            assertEquals(4, store.lastDurable().orElseThrow().id());
        }
    }

    private static void full(Store store, long id, byte[] value) {
        try (CheckpointWriter w = store.begin(id, -1, null)) {
            w.putObject("o", (byte) 1, value);
            w.commit();
        }
    }

    // ----------------------------------------------------------------------- defect 10: lost tails

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void issue10CutAndDeletedTailsAreRefusedOrReportedNeverSilentlyOlderWhereDetectable() {
        int seeds = Integer.getInteger("store.hostileSeeds", 2);
        for (int seed = 0; seed < seeds; seed++) {
            for (boolean clean : new boolean[]{true, false}) {
                Built b = build(100 + seed, 24, clean);
                TreeMap<Long, StateModel> committed = b.committed();
                List<Path> segs = b.segments();
                Map<Path, byte[]> image = b.io.image().files();
                long[] mark = readMark(image.get(MARK));
                // every record boundary and the middle of every record of the last two segments
                for (Path seg : segs.subList(Math.max(0, segs.size() - 2), segs.size())) {
                    byte[] bytes = image.get(seg);
                    for (int[] cut : cuts(bytes)) {
                        FaultInjectingIO io = FaultInjectingIO.of(b.io.image(), seed);
                        io.operatorTruncate(seg, cut[0]);
                        boolean last = seg.equals(segs.getLast());
                        if (!last) {
                            io.operatorDelete(segs.getLast()); // cut back across a segment boundary
                        }
                        String what = seg.getFileName() + " cut at " + cut[0] + (cut[1] == 1 ? " (a record boundary)" : " (mid-record)")
                                + (last ? "" : ", newest segment deleted") + ", clean close " + clean;
                        Outcome o = verdict(io, committed, what);
                        if (!last || clean) {
                            // provable: the mark names the newest segment, or (after a clean close) checkpoint
                            assertTrue(o == Outcome.REFUSED || o == Outcome.EXACT, what + ": " + o);
                        } else {
                            assertNotEquals(Outcome.REFUSED, o, what + ": a cut inside the newest segment after a crash is a torn tail");
                            if (o == Outcome.OLDER_AT_A_CHECKPOINT_BOUNDARY) {
                                assertEquals(1, cut[1], what + ": only a cut between checkpoints can pass unnoticed");
                            }
                        }
                        if (o == Outcome.REFUSED) {
                            long recovered = acceptLoss(io, committed, what);
                            assertTrue(recovered < committed.lastKey(), what);
                            // the accepted state is the new normal: the next open is clean
                            assertEquals(Outcome.EXACT, verdict(io, new TreeMap<>(committed.headMap(recovered, true)), what + ", reopened"));
                        }
                        ACTS.merge(Hostile.TRUNCATE, 1L, Long::sum);
                    }
                }
                // whole newest segments deleted, one and two
                for (int k = 1; k <= Math.min(2, segs.size() - 1); k++) {
                    FaultInjectingIO io = FaultInjectingIO.of(b.io.image(), seed);
                    for (Path p : segs.subList(segs.size() - k, segs.size())) {
                        io.operatorDelete(p);
                    }
                    String what = "newest " + k + " segment(s) deleted, clean close " + clean + ", mark " + Arrays.toString(mark);
                    assertEquals(Outcome.REFUSED, verdict(io, committed, what), what);
                    acceptLoss(io, committed, what);
                    ACTS.merge(Hostile.DELETE, (long) k, Long::sum);
                }
                // the mark deleted: segments that nothing vouches for are refused, adopted only on request
                FaultInjectingIO io = FaultInjectingIO.of(b.io.image(), seed);
                io.operatorDelete(MARK);
                assertEquals(Outcome.REFUSED, verdict(io, committed, "HIGHWATER deleted"));
                try (Store s = open(io, true)) {
                    assertEquals(committed.lastKey(), checkExact(s, committed, "HIGHWATER deleted, adopted"));
                }
                ACTS.merge(Hostile.DELETE, 1L, Long::sum);
            }
        }
    }

    /** [offset, 1 if a record boundary] for every record start and record middle of a segment's bytes. */
    private static List<int[]> cuts(byte[] bytes) {
        List<int[]> cuts = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (pos + HEADER <= bytes.length) {
            cuts.add(new int[]{pos, 1});
            int length = b.getInt(pos);
            cuts.add(new int[]{pos + (HEADER + length) / 2, 0});
            pos += HEADER + length;
        }
        return cuts;
    }

    private static long[] readMark(byte[] bytes) {
        if (bytes == null) {
            return new long[]{-1, -1};
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return new long[]{b.getLong(8), b.getLong(16)};
    }

    /**
     * A torn newest checkpoint whose page holds a copy of a BEGIN record (valid checksum, a later id): the scan
     * used to take it for a later checkpoint behind damage and refuse to open (issue #10). It is the torn
     * tail: the store opens at the checkpoint before it and reports the drop.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void issue10UserBytesShapedLikeABeginInATornCheckpointAreNotTakenForALaterOne() {
        FaultInjectingIO io = new FaultInjectingIO(10);
        byte[] fake = beginRecord(1_000_000);
        byte[] page = new byte[4096];
        for (int at = 16; at + fake.length < page.length; at += 512) {
            System.arraycopy(fake, 0, page, at, fake.length);
        }
        Store store = open(io, false);
        full(store, 1, new byte[50]);
        full(store, 2, new byte[800]); // the next checkpoint starts a segment
        try (CheckpointWriter w = store.begin(3, 2, null)) {
            w.putObject("heap", (byte) 2, new byte[0]);
            w.putPage("heap", 0, new UnsafeBuffer(page), 0, page.length);
            w.commit();
        }
        io.powerCut();
        store.close();
        io.powerOn();
        Path seg = DIR.resolve(String.format("segment-%016d.log", 3));
        byte[] bytes = io.bytes(seg);
        int fakeAt = indexOf(bytes, fake);
        assertTrue(fakeAt > 0, "the page holds the BEGIN-shaped bytes");
        for (int cut : new int[]{fakeAt + fake.length, fakeAt + fake.length + 100, bytes.length - 1}) {
            FaultInjectingIO cutIo = FaultInjectingIO.of(io.image(), 1);
            cutIo.operatorTruncate(seg, cut);
            try (Store s = open(cutIo, false)) {
                assertEquals(2, s.lastDurable().orElseThrow().id(), "cut at " + cut);
                List<String> warnings = ((DirectoryStore) s).recoveryWarnings();
                assertTrue(warnings.stream().anyMatch(w -> w.contains("checkpoint 3")), "the drop is reported: " + warnings);
            }
            ACTS.merge(Hostile.TRUNCATE, 1L, Long::sum);
        }
    }

    /** A segment BEGIN record of checkpoint {@code id}, full, no label, with a good checksum. */
    private static byte[] beginRecord(long id) {
        int payload = 8 + 8 + 8 + 8 + 4;
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(payload).putInt(0).put(BEGIN).putLong(id).putLong(-1).putLong(0).putLong(0).putInt(-1);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 8, 1 + payload);
        b.putInt(4, (int) crc.getValue());
        return b.array();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ----------------------------------------------------------------------------------- read-only

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aReadOnlyRemountRefusesCleanlyAndLosesNothing() {
        Built b = build(11, 12, true);
        b.io.readOnly(true);
        Map<Path, byte[]> before = b.io.image().files();
        StoreFailedException e = assertThrows(StoreFailedException.class, () -> open(b.io, false).close());
        assertTrue(String.valueOf(e.getCause()).contains("Read-only"), e.toString());
        assertEquals(before.keySet(), b.io.image().files().keySet());
        b.io.readOnly(false);
        assertEquals(Outcome.EXACT, verdict(b.io, b.committed(), "after a read-only open"));
        // remounted read-only while open: the next commit fails closed, nothing acknowledged is lost
        Store store = open(b.io, false);
        b.work.writeOne(store);
        b.io.readOnly(true);
        assertThrows(StoreFailedException.class, () -> {
            for (int i = 0; i < 10; i++) {
                b.work.writeOne(store);
            }
        });
        assertTrue(store.isFailed());
        store.close();
        b.io.readOnly(false);
        assertEquals(Outcome.EXACT, verdict(b.io, b.committed(), "remounted read-only while open"));
        b.tally();
    }

    /**
     * The real thing, where permitted (root with tmpfs): a small tmpfs made for the test, remounted read-only
     * under an open store and before an open, unmounted afterwards.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aReadOnlyTmpfsRemountRefusesCleanlyAndLosesNothing(@TempDir Path tmp) throws Exception {
        Path mnt = tmp.resolve("mnt");
        Files.createDirectories(mnt);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt.toString()) == 0,
                "cannot mount a tmpfs here (not root, or no mount permission in this container): skipped");
        try {
            Path dir = mnt.resolve("store");
            try (Store s = Store.directoryBuilder(dir).segmentBytes(4096).open()) {
                for (long id = 1; id <= 5; id++) {
                    full(s, id, new byte[1000]);
                }
            }
            assertEquals(0, run("mount", "-o", "remount,ro", mnt.toString()));
            StoreFailedException e = assertThrows(StoreFailedException.class, () -> Store.directory(dir).close());
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertEquals(0, run("mount", "-o", "remount,rw", mnt.toString()));
            Store s = Store.directoryBuilder(dir).segmentBytes(4096).open();
            assertEquals(5, s.lastDurable().orElseThrow().id());
            // Linux refuses to remount read-only while a file is open for writing (EBUSY), as the store's are:
            // then there is nothing more to test here (the fault-injecting disk covers a remount under an open
            // store).
            if (run("mount", "-o", "remount,ro", mnt.toString()) == 0) {
                assertThrows(StoreFailedException.class, () -> full(s, 6, new byte[1000]));
                s.close();
                assertEquals(0, run("mount", "-o", "remount,rw", mnt.toString()));
            } else {
                System.out.println("HostileOperatorTest: Linux refused a read-only remount under the open store (EBUSY)");
                s.close();
            }
            try (Store again = Store.directory(dir)) {
                assertEquals(5, again.lastDurable().orElseThrow().id());
            }
        } finally {
            assertEquals(0, run("umount", mnt.toString()), "unmounting the test's tmpfs");
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    // ------------------------------------------------------------------ second opener: JVM and process

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void issue10LockFileDeletedWhileOpenRefusesASecondOpenerInThisJvm(@TempDir Path dir) throws IOException {
        try (Store first = Store.directoryBuilder(dir).segmentBytes(4096).open()) {
            full(first, 1, new byte[100]);
            Files.delete(dir.resolve("LOCK"));
            StoreException e = assertThrows(StoreException.class, () -> Store.directory(dir).close());
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
            // also through another name of the same directory
            Path link = Files.createSymbolicLink(dir.resolveSibling(dir.getFileName() + "-link"), dir);
            try {
                assertThrows(StoreException.class, () -> Store.directory(link).close());
            } finally {
                Files.delete(link);
            }
            for (long id = 2; id <= 10; id++) { // across segment starts, where the first store re-takes LOCK
                full(first, id, new byte[1000]);
            }
            assertTrue(Files.exists(dir.resolve("LOCK")), "the first store locked a new LOCK at its next segment");
        }
        try (Store again = Store.directory(dir)) {
            assertEquals(10, again.lastDurable().orElseThrow().id());
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void issue10LockFileDeletedWhileOpenRefusesASecondProcess(@TempDir Path dir) throws Exception {
        try (Store first = Store.directoryBuilder(dir).segmentBytes(4096).open()) {
            full(first, 1, new byte[100]);
            Files.delete(dir.resolve("LOCK"));
            String out = secondProcess(dir);
            assertTrue(out.startsWith("REFUSED"), "the second process: " + out);
            assertTrue(out.contains("locked by another store"), out);
            for (long id = 2; id <= 10; id++) {
                full(first, id, new byte[1000]);
            }
        }
        try (Store again = Store.directory(dir)) {
            assertEquals(10, again.lastDurable().orElseThrow().id());
        }
    }

    /** Runs {@link SecondOpener} in a child JVM on {@code dir}; returns what it printed. Cleans it up. */
    private static String secondProcess(Path dir) throws Exception {
        String cp = System.getProperty("java.class.path") + File.pathSeparator + System.getProperty("jdk.module.path", "");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp", cp, SecondOpener.class.getName(), dir.toString()).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
            String s = new String(out, StandardCharsets.UTF_8).trim();
            String[] lines = s.split("\n");
            return lines[lines.length - 1];
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The second process: tries to open the directory and, if it gets in, to write (what corrupted stores). */
    public static final class SecondOpener {
        private SecondOpener() {
        }

        /** Prints REFUSED with the message, or OPENED. */
        public static void main(String[] args) {
            try (Store s = Store.directory(Path.of(args[0]))) {
                long next = s.lastDurable().map(StoredCheckpoint::id).orElse(0L) + 1;
                full(s, next, new byte[10]);
                System.out.println("OPENED and wrote checkpoint " + next);
            } catch (StoreException e) {
                System.out.println("REFUSED: " + e.getMessage());
            }
        }
    }
}
