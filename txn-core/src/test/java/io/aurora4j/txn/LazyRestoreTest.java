package io.aurora4j.txn;

import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durability (ARCHITECTURE.md invariant 7) with lazy restore (issue #6, item 4): a recovered region reads exactly the
 * stored bytes through every kind of access, although its pages are read from the store only when first touched — and
 * the store still holds every page that was never touched for as long as the group can reach it (rollback, views,
 * forks, full checkpoints and compaction).
 */
@Timeout(120)
class LazyRestoreTest {
    /** Small pages and a capacity spanning three leaves of the page table, the last page partial. */
    private static final int PAGE = 256;
    private static final int PAGES = 1100;
    private static final long CAPACITY = (long) PAGES * PAGE - 100;

    @TempDir
    Path dir;

    /** The region's bytes as written before the restart: pages {@code pi % 7 == 3} were never written. */
    private byte[] original;
    /** How many pages the store holds. */
    private int stored;

    private static boolean written(int pi) {
        return pi % 7 != 3;
    }

    /** Writes the image (a region and a long) to {@code store} and closes the group (and the store). */
    private void writeImage(Store store) {
        original = new byte[(int) CAPACITY];
        Random rnd = new Random(42);
        try (Group g = Group.builder("lazy").store(store).checkpointEvery(Duration.ZERO).open()) {
            g.newLong("n", 7);
            Region heap = g.regionBuilder("heap").capacity(CAPACITY).pageSize(PAGE).create();
            stored = 0;
            for (int pi = 0; pi < PAGES; pi++) {
                if (!written(pi)) {
                    continue;
                }
                int from = pi * PAGE;
                int n = (int) Math.min(PAGE, CAPACITY - from);
                byte[] b = new byte[n];
                rnd.nextBytes(b);
                b[0] = 1; // never an all-zero page
                System.arraycopy(b, 0, original, from, n);
                heap.putBytes(from, b);
                stored++;
            }
            g.barrier().join();
        }
    }

    private CountingStore reopenCounting() {
        return new CountingStore(Store.directory(dir));
    }

    private static Group open(Store store) {
        return Group.builder("lazy").store(store).checkpointEvery(Duration.ZERO).maintenanceExecutor(Runnable::run).open();
    }

    private static byte[] all(Region r) {
        byte[] b = new byte[(int) r.capacity()];
        r.getBytes(0, b);
        return b;
    }

    private static long longAt(byte[] b, int at) {
        return new org.agrona.concurrent.UnsafeBuffer(b).getLong(at);
    }

    @Test
    void readsOfEveryKindSeeTheStoredBytesAndLoadOnlyThePagesTheyTouch() {
        writeImage(Store.directory(dir));
        CountingStore store = reopenCounting();
        try (Group g = open(store)) {
            Region heap = g.region("heap");
            Region.Stats atOpen = heap.stats();
            assertEquals(0, store.pageReads.get(), "opening reads no page");
            assertEquals(stored, atOpen.livePages());
            assertEquals(stored, atOpen.unloadedPages());
            assertEquals(0, atOpen.allocatedPages(), "unloaded pages hold no memory: " + atOpen);
            assertEquals(7, g.longRef("n").get());

            int at = 5 * PAGE + 16;
            assertEquals(longAt(original, at), heap.getLong(at));
            assertEquals(1, store.pageReads.get());
            assertEquals(longAt(original, at + 8), heap.getLong(at + 8));
            assertEquals(1, store.pageReads.get(), "a loaded page is not read again");
            assertEquals(stored - 1, heap.stats().unloadedPages());
            assertEquals(1, heap.stats().allocatedPages());

            int split = 12 * PAGE - 2; // an int across pages 11 and 12
            assertEquals(new org.agrona.concurrent.UnsafeBuffer(original).getInt(split), heap.getInt(split));
            assertEquals(3, store.pageReads.get());

            byte[] span = new byte[2 * PAGE + 40];
            heap.getBytes(20 * PAGE + 100, span);
            assertArrayEquals(Arrays.copyOfRange(original, 20 * PAGE + 100, 20 * PAGE + 100 + span.length), span);
            assertEquals(6, store.pageReads.get());

            assertEquals(0, heap.getLong(3 * PAGE + 8), "a page never written is zero and not in the store");
            assertEquals(6, store.pageReads.get());

            byte[] tail = new byte[PAGE - 100]; // the partial last page
            heap.getBytes(CAPACITY - tail.length, tail);
            assertArrayEquals(Arrays.copyOfRange(original, (int) CAPACITY - tail.length, (int) CAPACITY), tail);
            assertEquals(original[(int) CAPACITY - 1], heap.getByte(CAPACITY - 1));

            int tx = 40 * PAGE + 24;
            assertEquals(longAt(original, tx), (long) g.atomic(() -> heap.getLong(tx)), "a transactional read");
            Checkpoint recovered = g.history().get(0);
            int viewed = 50 * PAGE + 32;
            assertEquals(longAt(original, viewed), recovered.view().getLong(heap, viewed), "a view of the recovered checkpoint");
            byte[] viewedBytes = new byte[PAGE];
            recovered.view().getBytes(heap, 60 * PAGE, viewedBytes, 0, PAGE);
            assertArrayEquals(Arrays.copyOfRange(original, 60 * PAGE, 61 * PAGE), viewedBytes);
            assertEquals(10, store.pageReads.get());

            assertArrayEquals(original, all(heap));
            assertEquals(stored, store.pageReads.get(), "every page read from the store exactly once");
            assertEquals(0, heap.stats().unloadedPages());
            assertEquals(stored, heap.stats().livePages());
        }
    }

    @Test
    void writesIntoUnloadedPagesKeepTheirOtherBytesAndFlushOnlyWhatChanged() {
        writeImage(Store.directory(dir));
        byte[] model = original.clone();
        CountingStore store = reopenCounting();
        try (Group g = open(store)) {
            Region heap = g.region("heap");
            org.agrona.concurrent.UnsafeBuffer m = new org.agrona.concurrent.UnsafeBuffer(model);
            heap.putLong(100 * PAGE + 8, 0x1122334455667788L); // raw, one long into an unloaded page
            m.putLong(100 * PAGE + 8, 0x1122334455667788L);
            heap.putByte(200 * PAGE + 255, (byte) 9);
            m.putByte(200 * PAGE + 255, (byte) 9);
            byte[] across = {1, 2, 3, 4, 5, 6};
            heap.putBytes(300 * PAGE + 253, across); // pages 300 and 301
            m.putBytes(300 * PAGE + 253, across);
            heap.setMemory(400 * PAGE + 10, 20, (byte) 0x7F);
            m.setMemory(400 * PAGE + 10, 20, (byte) 0x7F);
            g.atomic(() -> heap.putInt(501 * PAGE + 40, 123456)); // transactional: its shadow copies the stored page
            m.putInt(501 * PAGE + 40, 123456);
            assertEquals(6, store.pageReads.get(), "each written page was read once, to copy it");

            assertArrayEquals(model, all(heap));
            byte[] before = new byte[(int) CAPACITY];
            g.history().get(0).view().getBytes(heap, 0, before, 0, before.length);
            assertArrayEquals(original, before, "the recovered checkpoint still sees the stored bytes");

            long writes = store.pageWrites.get();
            g.barrier().join();
            assertEquals(6, store.pageWrites.get() - writes, "an incremental flush writes the changed pages only");
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertArrayEquals(model, all(g.region("heap")));
        }
    }

    @Test
    void aRollbackToTheRecoveredCheckpointRestoresTouchedAndUntouchedPages() {
        writeImage(Store.directory(dir));
        CountingStore store = reopenCounting();
        try (Group g = open(store)) {
            Region heap = g.region("heap");
            Checkpoint recovered = g.history().get(0);
            heap.putLong(7 * PAGE, -1L);
            g.atomic(() -> heap.putLong(8 * PAGE, -2L));
            g.barrier().join(); // on disk: the next rollback goes below it, so the flush after it is full
            Checkpoint mid = g.checkpoint();
            heap.setMemory(0, 30L * PAGE, (byte) 0x55);
            g.rollback(mid);
            assertEquals(-1L, heap.getLong(7 * PAGE));
            g.rollback(recovered);
            assertTrue(heap.stats().unloadedPages() > 0, "pages never touched stay in the store across rollbacks");
            assertArrayEquals(original, all(heap));
            assertEquals(stored, store.pageReads.get(), "rolled-back copies do not read pages again");

            heap.putLong(9 * PAGE, 99L);
            long writes = store.pageWrites.get();
            g.barrier().join();
            assertEquals(stored, store.pageWrites.get() - writes, "the flush after a rollback below the disk is full");
        }
        byte[] model = original.clone();
        new org.agrona.concurrent.UnsafeBuffer(model).putLong(9 * PAGE, 99L);
        try (Group g = Group.open(Store.directory(dir))) {
            assertArrayEquals(model, all(g.region("heap")));
        }
    }

    @Test
    void aFullFlushLoadsEveryPageItWrites() {
        writeImage(Store.directory(dir));
        CountingStore store = reopenCounting();
        try (Group g = open(store)) {
            Region heap = g.region("heap");
            g.barrier().join();
            g.rollback(g.history().get(0)); // below the disk: the next flush is full
            assertEquals(stored, heap.stats().unloadedPages());
            g.barrier().join();
            assertEquals(0, heap.stats().unloadedPages(), "a full flush reads every page, and keeps what it read");
            assertEquals(stored, store.pageReads.get());
            store.failReads.set(new IllegalStateException("must not read the store again"));
            assertArrayEquals(original, all(heap));
        }
    }

    @Test
    void aForkAfterRecoveryOutlivesItsParentAndTheParentsStore() {
        writeImage(Store.directory(dir));
        CountingStore store = reopenCounting();
        Group fork;
        Group laterFork;
        try (Group g = open(store)) {
            Region heap = g.region("heap");
            Checkpoint recovered = g.history().get(0);
            heap.putLong(2 * PAGE, 1234L); // a touched page
            Checkpoint later = g.checkpoint();
            fork = g.fork(recovered);
            assertEquals(0, heap.stats().unloadedPages(), "the fork loaded what it shares");
            assertEquals(stored, store.pageReads.get());
            laterFork = g.fork(later);
            assertEquals(stored, store.pageReads.get(), "a second fork reads nothing");
        }
        // the parent and its store are closed: the forks read and write on their own
        try (fork; laterFork) {
            Region heap = fork.region("heap");
            assertArrayEquals(original, all(heap));
            heap.putLong(11 * PAGE, 5L);
            assertEquals(5L, heap.getLong(11 * PAGE));
            assertEquals(longAt(original, 11 * PAGE + 8), heap.getLong(11 * PAGE + 8));
            byte[] model = original.clone();
            new org.agrona.concurrent.UnsafeBuffer(model).putLong(2 * PAGE, 1234L);
            assertArrayEquals(model, all(laterFork.region("heap")));
        }
    }

    @Test
    void untouchedPagesSurviveAFullCheckpointAndCompactionOfTheImage() throws IOException {
        writeImage(Store.directoryBuilder(dir).retainCheckpoints(2).segmentBytes(16 << 10).open());
        Set<Path> imageSegments = segments();
        CountingStore store = new CountingStore(Store.directoryBuilder(dir).retainCheckpoints(2).segmentBytes(16 << 10).open());
        byte[] model = original.clone();
        org.agrona.concurrent.UnsafeBuffer m = new org.agrona.concurrent.UnsafeBuffer(model);
        try (Group g = open(store)) {
            Region heap = g.region("heap");
            Checkpoint recovered = g.history().get(0);
            // Rewrite the first 64 pages again and again: superseded data piles up until the store advises a full
            // checkpoint, the group writes one, and once it is the floor the image's segment is deleted.
            int round = 0;
            for (; round < 200 && !disjoint(imageSegments, segments()); round++) {
                for (int pi = 0; pi < 64; pi++) {
                    heap.putLong((long) pi * PAGE, round);
                    m.putLong(pi * PAGE, round);
                }
                g.barrier().join();
            }
            assertTrue(disjoint(imageSegments, segments()), "compaction never reclaimed the image's segment in " + round + " rounds");
            assertEquals(0, heap.stats().unloadedPages(), "the full checkpoint loaded every page before the image went");
            assertEquals(stored, store.pageReads.get());
            store.failReads.set(new IllegalStateException("the image is gone: nothing may read it"));
            assertArrayEquals(model, all(heap), "pages never touched read the stored bytes after compaction");
            byte[] then = new byte[(int) CAPACITY];
            recovered.view().getBytes(heap, 0, then, 0, then.length);
            assertArrayEquals(original, then, "a view of the recovered checkpoint after compaction");
            g.rollback(recovered);
            assertArrayEquals(original, all(heap), "a rollback to the recovered checkpoint after compaction");
            g.barrier().join(); // a full flush (the rollback went below the disk), from memory only
            store.failReads.set(null);
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertArrayEquals(original, all(g.region("heap")));
        }
    }

    private Set<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("segment-")).collect(Collectors.toSet());
        }
    }

    private static boolean disjoint(Set<Path> a, Set<Path> b) {
        return a.stream().noneMatch(b::contains);
    }

    @Test
    void concurrentFirstTouchesLoadEachPageOnceAndSeeTheSameBytes() throws Exception {
        writeImage(Store.directory(dir));
        for (int round = 0; round < 4; round++) {
            CountingStore store = reopenCounting();
            try (Group g = open(store)) {
                Region heap = g.region("heap");
                Checkpoint recovered = g.history().get(0);
                int threads = 4;
                CyclicBarrier start = new CyclicBarrier(threads + 1);
                List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
                List<Thread> ts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int kind = t;
                    long seed = round * 10L + t;
                    ts.add(Thread.ofPlatform().start(() -> {
                        try {
                            List<Integer> order = new ArrayList<>();
                            for (int pi = 0; pi < PAGES; pi++) {
                                order.add(pi);
                            }
                            java.util.Collections.shuffle(order, new Random(seed / 10 * 10)); // same order: maximal overlap
                            start.await();
                            for (int pi : order) {
                                int n = (int) Math.min(PAGE, CAPACITY - (long) pi * PAGE);
                                byte[] b = new byte[n];
                                switch (kind) {
                                    case 0 -> heap.getBytes((long) pi * PAGE, b);
                                    case 1 -> g.atomic(() -> heap.getBytes((long) pi * PAGE, b));
                                    case 2 -> recovered.view().getBytes(heap, (long) pi * PAGE, b, 0, n);
                                    default -> {
                                        for (int i = 0; i < n; i++) {
                                            b[i] = heap.getByte((long) pi * PAGE + i);
                                        }
                                    }
                                }
                                if (!Arrays.equals(b, 0, n, original, pi * PAGE, pi * PAGE + n)) {
                                    throw new AssertionError("thread " + kind + " read other bytes in page " + pi);
                                }
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }));
                }
                start.await();
                g.barrier().join(); // nothing changed: no flush reads; a rollback below the disk would
                for (Thread t : ts) {
                    t.join();
                }
                assertEquals(List.of(), failures);
                assertEquals(stored, store.pageReads.get(), "each page read from the store once, whoever touched it first");
                assertEquals(0, heap.stats().unloadedPages());
                assertEquals(stored, heap.stats().allocatedPages() - heap.stats().pooledPages(), "no chunk taken twice");
            }
        }
    }

    @Test
    void aStoreFailureWhileLoadingNamesTheRegionPageAndStoreAndCanBeRetried() {
        writeImage(Store.directory(dir));
        CountingStore store = reopenCounting();
        try (Group g = open(store)) {
            Region heap = g.region("heap");
            store.failReads.set(new StoreException("injected: the disk is gone"));
            StoreException e = assertThrows(StoreException.class, () -> heap.getLong(5L * PAGE));
            assertTrue(e.getMessage().contains("Region 'heap'") && e.getMessage().contains("page 5 ")
                    && e.getMessage().contains(store.describe()) && e.getMessage().contains("injected"), e.getMessage());
            assertThrows(StoreException.class, () -> g.atomic(() -> heap.getLong(5L * PAGE)));
            assertThrows(StoreException.class, () -> heap.putLong(5L * PAGE, 1), "a write copies the page: it needs it");
            Region.Stats s = heap.stats();
            assertEquals(stored, s.unloadedPages(), "nothing half loaded");
            assertEquals(s.allocatedPages(), s.pooledPages(), "the chunks taken for the failed loads went back: " + s);

            store.failReads.set(null);
            assertEquals(longAt(original, 5 * PAGE), heap.getLong(5L * PAGE), "a later touch tries again");

            store.delegate.close(); // closed under the group (misuse): a clear error, not zeros
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> heap.getLong(6L * PAGE));
            assertTrue(closed.getMessage().contains("page 6 ") && closed.getMessage().contains(store.describe()),
                    closed.getMessage());
        }
    }

    @Test
    void tenThousandCyclesAfterALazyRecoveryInMemoryKeepMemoryBounded() {
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        try (Group g = Group.inMemory("cycles")) {
            Region r = g.regionBuilder("heap").capacity(256 * 1024).pageSize(1024).create();
            for (int p = 0; p < 256; p++) {
                r.putLong(p * 1024L, p);
            }
            g.send(g.checkpoint(), image);
        }
        Store memory = Store.memory();
        Images.receive(new ByteArrayInputStream(image.toByteArray()), memory, ImageLimits.defaults());
        try (Group g = Group.builder("cycles").store(memory).checkpointEvery(Duration.ZERO)
                .maintenanceExecutor(Runnable::run).open()) {
            Region r = g.region("heap");
            assertEquals(256, r.stats().unloadedPages());
            long baseline = 0;
            for (int cycle = 0; cycle < 10_000; cycle++) {
                Checkpoint cp = g.checkpoint();
                for (int k = 0; k < 8; k++) {
                    int page = (cycle * 31 + k * 17) % 256;
                    r.putLong(page * 1024L + 8, cycle);
                }
                int page = cycle % 256;
                g.atomic(() -> r.putLong(page * 1024L + 16, 1));
                g.rollback(cp);
                if (cycle % 50 == 49) {
                    g.barrier().join(); // durable groups keep history until it is durable
                }
                if (cycle == 1_000) {
                    assertEquals(0, r.stats().unloadedPages(), "every page was copied, so loaded, by now");
                    baseline = r.stats().allocatedPages();
                }
            }
            Region.Stats s = r.stats();
            assertEquals(256, s.livePages());
            for (int p = 0; p < 256; p++) {
                assertEquals(p, r.getLong(p * 1024L));
                assertEquals(0, r.getLong(p * 1024L + 8));
            }
            assertTrue(s.allocatedPages() <= baseline, "allocated pages grew from " + baseline + " to " + s.allocatedPages());
            assertTrue(s.allocatedPages() <= 256 + 64, "at most the live pages and a small pool: " + s);
        }
    }
}
