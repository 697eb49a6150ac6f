package io.aurora4j.store.api;

import io.aurora4j.store.Store;
import io.aurora4j.store.StoreStats;
import io.aurora4j.store.internal.DirectoryStore;
import io.aurora4j.store.spi.CheckpointWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Store#stats()}: what tools and tests used to get by casting to {@code DirectoryStore}, through the API.
 * The figures agree with the directory (segment files and their sizes) and with the implementation's own counters.
 */
class StoreStatsTest {
    @TempDir
    Path dir;

    @Test
    void aDirectoryStoresStatsMatchItsSegmentFilesAndItsCleaningCounters() throws IOException {
        byte[] big = new byte[3000];
        new Random(3).nextBytes(big);
        try (Store store = Store.directoryBuilder(dir).retainCheckpoints(2).segmentBytes(4096).open()) {
            StoreStats empty = store.stats();
            assertEquals(new StoreStats(0, 0, 0, 0, 0, 0, StoreStats.Cleaning.RUNNING, null), empty);
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                w.putObject("static", (byte) 1, big);
                w.commit();
            }
            for (long id = 2; id <= 40; id++) {
                try (CheckpointWriter w = store.begin(id, id - 1, null)) {
                    w.putObject("hot", (byte) 1, big);
                    w.commit();
                }
            }
            DirectoryStore d = (DirectoryStore) store;
            assertTrue(d.awaitDeletions(Duration.ofSeconds(10)), "background deletions done");
            StoreStats stats = store.stats();
            List<Path> files = segmentFiles();
            assertEquals(files.size(), stats.segments(), "segments " + files);
            assertEquals(d.segmentCount(), stats.segments());
            long onDisk = 0;
            for (Path f : files) {
                onDisk += Files.size(f);
            }
            assertEquals(onDisk, stats.segmentBytes(), "no writer is open: the files hold exactly the committed records");
            assertEquals(d.liveBytes(), stats.liveBytes());
            assertTrue(stats.liveBytes() > 2 * big.length, "both values are live: " + stats.liveBytes());
            assertEquals(store.reclaimableBytes(), stats.reclaimableBytes());
            assertTrue(stats.relocatedRecords() > 0, "the value written once was carried forward");
            assertEquals(d.relocatedRecords(), stats.relocatedRecords());
            assertEquals(d.relocatedBytes(), stats.relocatedBytes());
            assertTrue(stats.relocatedBytes() >= stats.relocatedRecords() * big.length);
            assertEquals(StoreStats.Cleaning.RUNNING, stats.cleaning());
            assertNull(stats.stalledBecause());
        }
    }

    @Test
    void cleaningTurnedOffIsReportedAsOff() {
        try (Store store = Store.directoryBuilder(dir).cleaning(false).open()) {
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                w.putObject("a", (byte) 1, new byte[10]);
                w.commit();
            }
            StoreStats stats = store.stats();
            assertEquals(StoreStats.Cleaning.OFF, stats.cleaning());
            assertEquals(1, stats.segments());
            assertEquals(0, stats.relocatedBytes());
        }
    }

    @Test
    void theMemoryStoreHasNoSegmentsAndCountsTheNewestStatesValueBytes() {
        Store store = Store.memory();
        try (CheckpointWriter w = store.begin(1, -1, null)) {
            w.putObject("a", (byte) 1, new byte[10]);
            w.putObject("m", (byte) 2, new byte[3]);
            w.putEntry("m", new byte[]{1}, new byte[7]);
            w.commit();
        }
        assertEquals(new StoreStats(0, 0, 20, 0, 0, 0, StoreStats.Cleaning.NONE, null), store.stats());
        try (CheckpointWriter w = store.begin(2, 1, null)) {
            w.removeObject("m");
            w.putObject("a", (byte) 1, new byte[4]);
            w.commit();
        }
        assertEquals(4, store.stats().liveBytes(), "a removed object's value and entries, a replaced value: not live");
        store.close();
        assertThrows(IllegalStateException.class, store::stats);
    }

    @Test
    void aDirectoryStoresStatsAfterCloseFailClearly() {
        Store store = Store.directory(dir);
        store.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, store::stats);
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    }

    @Test
    void statsRejectNegativeFiguresAndAStallWithoutAReason() {
        assertThrows(IllegalArgumentException.class,
                () -> new StoreStats(-1, 0, 0, 0, 0, 0, StoreStats.Cleaning.NONE, null));
        assertThrows(IllegalArgumentException.class,
                () -> new StoreStats(0, 0, 0, 0, 0, 0, StoreStats.Cleaning.STALLED, null));
        assertThrows(IllegalArgumentException.class,
                () -> new StoreStats(0, 0, 0, 0, 0, 0, StoreStats.Cleaning.RUNNING, "why"));
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }
}
