package io.aurora4j.store.durability;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import io.aurora4j.store.internal.DirectoryStore;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.store.testing.RandomCheckpoints;
import io.aurora4j.store.testing.StateModel;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Checkpoints read back exactly: full and incremental, removals, kind replacement, entries and pages, older
 * retained checkpoints, and after a reopen. Every backend runs the same cases.
 */
class RoundTripTest {
    @TempDir
    Path dir;

    /** The backends under test. */
    enum Backend {
        MEMORY, DIRECTORY_REAL_FILES, DIRECTORY_FAULT_IO;

        boolean persistent() {
            return this != MEMORY;
        }
    }

    private FaultInjectingIO faultIo = new FaultInjectingIO(1);

    private Store open(Backend b) {
        return switch (b) {
            case MEMORY -> Store.memory();
            case DIRECTORY_REAL_FILES -> Store.directoryBuilder(dir).segmentBytes(4096).open();
            case DIRECTORY_FAULT_IO -> Store.directoryBuilder(Path.of("/disk/store")).segmentBytes(4096).io(faultIo).open();
        };
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static UnsafeBuffer page(String s) {
        return new UnsafeBuffer(b(s));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void fullThenIncrementalCheckpointsReadBack(Backend backend) {
        try (Store store = open(backend)) {
            assertTrue(store.lastDurable().isEmpty());
            try (CheckpointWriter w = store.begin(1, -1, "first")) {
                w.putObject("a", (byte) 1, b("A1"));
                w.putEntry("a", b("k1"), b("v1"));
                w.putEntry("a", b("k2"), b("v2"));
                w.putObject("r", (byte) 2, b("region"));
                w.putPage("r", 3, page("page3"), 0, 5);
                w.putPage("r", 0, page("xxpage0"), 2, 5);
                StoredCheckpoint cp = w.commit();
                assertEquals(1, cp.id());
                assertTrue(cp.isFull());
                assertEquals("first", cp.label());
                assertTrue(cp.bytes() > 0);
            }
            try (CheckpointWriter w = store.begin(5, 1, null)) {
                w.putObject("a", (byte) 1, b("A2"));          // same kind: entries stay
                w.removeEntry("a", b("k1"));
                w.putEntry("a", b("k3"), b("v3"));
                w.putPage("r", 3, page("PAGE3!"), 0, 6);
                w.putObject("n", (byte) 7, b("new"));
                w.commit();
            }
            StoredState s = store.state(5);
            assertEquals(5, s.checkpoint().id());
            assertEquals(List.of("a", "r", "n"), s.objects().stream().map(StoredState.StoredObject::id).toList());
            assertArrayEquals(b("A2"), s.objects().get(0).value());
            Map<String, String> entries = new java.util.TreeMap<>();
            s.forEachEntry("a", (k, v) -> entries.put(new String(k), new String(v)));
            assertEquals(Map.of("k2", "v2", "k3", "v3"), entries);
            assertArrayEquals(new long[]{0, 3}, s.pages("r"));
            UnsafeBuffer dst = new UnsafeBuffer(new byte[16]);
            assertEquals(6, s.readPage("r", 3, dst, 1));
            assertEquals("PAGE3!", dst.getStringWithoutLengthAscii(1, 6));
            assertThrows(NoSuchElementException.class, () -> s.readPage("r", 9, dst, 0));
            assertArrayEquals(new long[0], s.pages("missing"));

            // the older checkpoint is still restorable and unchanged
            StoredState old = store.state(1);
            assertArrayEquals(b("A1"), old.objects().get(0).value());
            assertEquals(2, old.objects().size());
            assertEquals(5, old.readPage("r", 3, dst, 0));
            assertEquals("page3", dst.getStringWithoutLengthAscii(0, 5));
            assertEquals(List.of(1L, 5L), store.checkpoints().stream().map(StoredCheckpoint::id).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void removalAndKindReplacementDropEntriesAndPages(Backend backend) {
        try (Store store = open(backend)) {
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                w.putObject("m", (byte) 1, b("map"));
                w.putEntry("m", b("k"), b("v"));
                w.putObject("g", (byte) 2, b("gone"));
                w.putPage("g", 1, page("p"), 0, 1);
                w.commit();
            }
            try (CheckpointWriter w = store.begin(2, 1, null)) {
                w.putObject("m", (byte) 3, b("now a ref")); // another kind: the whole object is replaced
                w.removeObject("g");
                w.commit();
            }
            StoredState s = store.state(2);
            assertEquals(1, s.objects().size());
            assertEquals(3, s.objects().get(0).kind());
            List<byte[]> keys = new ArrayList<>();
            s.forEachEntry("m", (k, v) -> keys.add(k));
            assertTrue(keys.isEmpty(), "entries of the replaced kind must be gone");
            assertArrayEquals(new long[0], s.pages("g"));
            try (CheckpointWriter w = store.begin(3, 2, null)) {
                w.putObject("g", (byte) 2, b("back"));         // a removed object comes back empty
                w.commit();
            }
            assertArrayEquals(new long[0], store.state(3).pages("g"));
            // a full checkpoint forgets what it does not write
            try (CheckpointWriter w = store.begin(4, -1, null)) {
                w.putObject("z", (byte) 0, b("only"));
                w.commit();
            }
            assertEquals(List.of("z"), store.state(4).objects().stream().map(StoredState.StoredObject::id).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void abortedCheckpointLeavesNoTrace(Backend backend) {
        try (Store store = open(backend)) {
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                w.putObject("a", (byte) 1, b("kept"));
                w.commit();
            }
            try (CheckpointWriter w = store.begin(2, 1, null)) {
                w.putObject("a", (byte) 1, b("aborted"));
                w.putPage("a", 0, new UnsafeBuffer(new byte[2 << 20]), 0, 2 << 20); // forces a flush to disk
            } // close aborts
            try (CheckpointWriter w = store.begin(2, 1, null)) {
                w.putObject("b", (byte) 1, b("b"));
                w.commit();
            }
            assertEquals(2, store.lastDurable().orElseThrow().id());
        }
        if (backend.persistent()) {
            try (Store store = open(backend)) {
                StoredState s = store.state(2);
                assertArrayEquals(b("kept"), s.objects().get(0).value());
                assertArrayEquals(new long[0], s.pages("a"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void randomCheckpointsMatchTheModelBeforeAndAfterReopen(Backend backend) {
        RandomCheckpoints work = new RandomCheckpoints(42).bigPageEvery(0);
        try (Store store = open(backend)) {
            for (int i = 0; i < 60; i++) {
                work.writeOne(store);
                checkRetained(store, work);
            }
        }
        if (backend.persistent()) {
            try (Store store = open(backend)) {
                assertEquals(work.lastCommitted(), store.lastDurable().orElseThrow().id());
                checkRetained(store, work);
                work.writeOne(store);
                checkRetained(store, work);
            }
        }
    }

    static void checkRetained(Store store, RandomCheckpoints work) {
        List<StoredCheckpoint> retained = store.checkpoints();
        assertFalse(retained.isEmpty());
        assertEquals(work.lastCommitted(), retained.get(retained.size() - 1).id());
        for (StoredCheckpoint cp : retained) {
            StateModel model = work.committed().get(cp.id());
            assertNotNull(model, "checkpoint " + cp.id() + " was never committed");
            assertNull(model.difference(store.state(cp.id())), "checkpoint " + cp.id());
        }
    }

    @Test
    void retentionKeepsTheNewestCountAndCompactionDeletesWholeSegments() {
        RandomCheckpoints work = new RandomCheckpoints(7).fullChance(0.3).bigPageEvery(0);
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(3).segmentBytes(2048).open()) {
            java.util.Set<String> everSeen = new java.util.TreeSet<>();
            for (int i = 0; i < 200; i++) {
                work.writeOne(store);
                List<StoredCheckpoint> kept = store.checkpoints();
                assertEquals(Math.min(i + 1, 3), kept.size(), "retained " + kept);
                everSeen.addAll(segmentFiles());
            }
            checkRetained(store, work);
            assertTrue(((DirectoryStore) store).awaitDeletions(Duration.ofSeconds(10)), "background deletions done");
            List<String> now = segmentFiles();
            assertTrue(everSeen.size() > 20 && now.size() < everSeen.size() / 2,
                    "compaction must delete segments: " + now.size() + " left of " + everSeen.size());
            assertEquals(now.get(now.size() - 1), everSeen.stream().reduce((x, y) -> y).orElseThrow(),
                    "the newest segment is never deleted");
            long before = store.lastDurable().orElseThrow().id();
            assertThrows(NoSuchElementException.class, () -> store.state(before - 3));
        }
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(3).segmentBytes(2048).open()) {
            checkRetained(store, work);
        }
    }

    @Test
    void fullCheckpointsLetCompactionReclaimEverythingOld() {
        byte[] big = new byte[3000];
        // without cleaning, the only way to reclaim what "static" pins (with cleaning: CleaningTest)
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(2).segmentBytes(4096).cleaning(false).open()) {
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                w.putObject("static", (byte) 1, big);
                w.commit();
            }
            for (long id = 2; id <= 30; id++) {
                try (CheckpointWriter w = store.begin(id, id - 1, null)) {
                    w.putObject("hot", (byte) 1, big);
                    w.commit();
                }
            }
            // "static" pins the first segment; everything else after it is dead but still between
            assertTrue(store.reclaimableBytes() > 4096 * 5, "reclaimable " + store.reclaimableBytes());
            assertTrue(store.suggestFull());
            assertTrue(((DirectoryStore) store).awaitDeletions(Duration.ofSeconds(10)), "background deletions done");
            long segmentsBefore = segmentFiles().size();
            for (long id = 31; id <= 33; id++) {
                try (CheckpointWriter w = store.begin(id, id == 31 ? -1 : id - 1, null)) {
                    if (id == 31) {
                        w.putObject("static", (byte) 1, big);
                    }
                    w.putObject("hot", (byte) 1, big);
                    w.commit();
                }
            }
            assertTrue(((DirectoryStore) store).awaitDeletions(Duration.ofSeconds(10)), "background deletions done");
            assertTrue(segmentFiles().size() < segmentsBefore / 2,
                    segmentsBefore + " segments before the full checkpoint, " + segmentFiles().size() + " after");
            assertFalse(store.suggestFull());
            assertArrayEquals(big, store.state(33).objects().get(0).value());
        }
    }

    private List<String> segmentFiles() {
        try (var s = java.nio.file.Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("segment-")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
