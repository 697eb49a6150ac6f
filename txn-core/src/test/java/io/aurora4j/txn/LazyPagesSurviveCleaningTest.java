package io.aurora4j.txn;

import io.aurora4j.store.Store;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durability (invariant 7) of lazily restored pages under the store's cleaning (issue #10, defect 1): a page
 * restored lazily and never touched reads its stored bytes through every path that loads it — a read, a write
 * (copy-on-write), a full flush, {@code send}, {@code fork}, a rollback below what is on disk and the barriers
 * after it, a restart — after cleaning has copied its record forward and compaction has deleted the segment the
 * recovery found it in. Before the fix the placeholder kept the record's old location and every such access threw
 * "could not be loaded ... reclaimed by compaction". Run with background deletion on (the default) and off.
 */
@Timeout(120)
class LazyPagesSurviveCleaningTest {
    private static final int PAGE = 4096;
    private static final int PAGES = 4;
    private static final int ROUNDS = 100;

    @TempDir
    Path dir;

    /** The path that touches the untouched pages first. */
    enum FirstTouch { READ, WRITE, FULL_FLUSH, SEND, FORK, ROLLBACK_BELOW_DISK }

    static Stream<Arguments> paths() {
        return Arrays.stream(FirstTouch.values())
                .flatMap(t -> Stream.of(Arguments.of(t, true), Arguments.of(t, false)));
    }

    private Store store(boolean backgroundDeletes) {
        return Store.directoryBuilder(dir).segmentBytes(64 << 10).retainCheckpoints(1)
                .backgroundDeletes(backgroundDeletes).open();
    }

    private static Group open(Store store) {
        return Group.builder("lazy-clean").store(store).checkpointEvery(Duration.ZERO)
                .maintenanceExecutor(Runnable::run).open();
    }

    private static byte[] page(int pi, int round) {
        byte[] b = new byte[PAGE];
        Arrays.fill(b, (byte) (31 * pi + round + 1));
        b[0] = (byte) pi;
        return b;
    }

    private static byte[] all(Region r) {
        byte[] b = new byte[(int) r.capacity()];
        r.getBytes(0, b);
        return b;
    }

    private Set<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("segment-")).collect(Collectors.toSet());
        }
    }

    @ParameterizedTest(name = "{0}, background deletes {1}")
    @MethodSource("paths")
    void untouchedPagesReadTheirBytesAfterCleaningMovedTheirRecords(FirstTouch first, boolean backgroundDeletes)
            throws IOException {
        byte[] model = new byte[PAGES * PAGE];
        try (Group g = open(store(backgroundDeletes))) {
            Region heap = g.regionBuilder("heap").capacity(PAGES * PAGE).pageSize(PAGE).create();
            for (int pi = 0; pi < PAGES; pi++) {
                heap.putBytes((long) pi * PAGE, page(pi, 0));
                System.arraycopy(page(pi, 0), 0, model, pi * PAGE, PAGE);
            }
            g.barrier().join();
        }
        Set<Path> image = segments();
        Store store = store(backgroundDeletes);
        try (Group g = open(store)) {
            Region heap = g.region("heap");
            Checkpoint midway = null;
            byte[] atMidway = null;
            for (int round = 1; round <= ROUNDS; round++) {
                heap.putBytes(0, page(0, round)); // page 0 only: pages 1..3 stay placeholders
                System.arraycopy(page(0, round), 0, model, 0, PAGE);
                Checkpoint cp = g.barrier().join();
                if (round == ROUNDS / 2) {
                    midway = cp;
                    atMidway = model.clone();
                }
            }
            // Cleaning copied the records of pages 1..3 forward and compaction deleted the recovery's segments
            // (with background deletes, on the deleter thread: wait for it).
            for (int i = 0; i < 500 && !Collections.disjoint(image, segments()); i++) {
                sleep();
            }
            assertTrue(Collections.disjoint(image, segments()),
                    "compaction never deleted the segments the pages were recovered from: " + image);
            assertEquals(PAGES - 1, heap.stats().unloadedPages(), "pages 1..3 are still placeholders");

            byte[] expected = model;
            switch (first) {
                case READ -> assertArrayEquals(model, all(heap));
                case WRITE -> {
                    heap.putLong(2L * PAGE + 8, 0x0102030405060708L); // copies page 2 first
                    new org.agrona.concurrent.UnsafeBuffer(model).putLong(2 * PAGE + 8, 0x0102030405060708L);
                    g.atomic(() -> heap.putInt(3L * PAGE + 100, 77)); // a transaction's shadow copies page 3
                    new org.agrona.concurrent.UnsafeBuffer(model).putInt(3 * PAGE + 100, 77);
                    assertArrayEquals(model, all(heap));
                }
                case FULL_FLUSH -> {
                    // a rollback to a checkpoint that a later flush passed makes the next flush full
                    Checkpoint older = g.checkpoint();
                    heap.putByte(0, (byte) 9);
                    g.barrier().join();
                    g.rollback(older);
                    g.barrier().join(); // full: reads every page of the table, pages 1..3 included
                    assertArrayEquals(model, all(heap));
                }
                case SEND -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    g.send(g.checkpoint(), out);
                    try (Group received = Group.receive(new ByteArrayInputStream(out.toByteArray()))) {
                        assertArrayEquals(model, all(received.region("heap")));
                    }
                }
                case FORK -> {
                    try (Group fork = g.fork(g.checkpoint())) {
                        assertArrayEquals(model, all(fork.region("heap")));
                    }
                }
                case ROLLBACK_BELOW_DISK -> {
                    g.rollback(midway); // below the newest durable checkpoint: the next flush is full
                    expected = atMidway;
                    assertArrayEquals(atMidway, all(heap));
                }
            }
            for (int round = 0; round < 5; round++) {
                g.barrier().join(); // later barriers: the first after a rollback below the disk is full
            }
            assertArrayEquals(expected, all(heap));
            model = expected;
        }
        try (Group g = Group.open(store(backgroundDeletes))) {
            assertArrayEquals(model, all(g.region("heap")), "after a restart");
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
