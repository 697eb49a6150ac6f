package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pages no retained checkpoint or fork needs are pooled promptly: long cycles do not grow a region's memory. */
class RegionMemoryTest {

    @Test
    void tenThousandCheckpointWriteRollbackCyclesKeepMemoryBounded() {
        try (Group g = Group.builder("cycles").maintenanceExecutor(Runnable::run).open()) {
            Region r = g.regionBuilder("heap").capacity(256 * 1024).pageSize(1024).create();
            for (int p = 0; p < 256; p++) {
                r.putLong(p * 1024L, p);
            }
            long baseline = 0;
            for (int cycle = 0; cycle < 10_000; cycle++) {
                Checkpoint cp = g.checkpoint();
                for (int k = 0; k < 8; k++) {
                    int page = (cycle * 31 + k * 17) % 256;
                    r.putLong(page * 1024L + 8, cycle); // raw writes: copy-on-write per page
                }
                int page = cycle % 256;
                g.atomic(() -> r.putLong(page * 1024L + 16, 1)); // and a transactional one
                g.rollback(cp);
                if (cycle == 100) {
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
            assertTrue(g.stats().retainedPreImages() <= 64 + 1, "history is bounded by retention: " + g.stats());
        }
    }

    @Test
    void historyIsFreedWhenCheckpointsLeaveRetention() {
        try (Group g = Group.builder("retention").retainCheckpoints(4).maintenanceExecutor(Runnable::run).open()) {
            Region r = g.regionBuilder("heap").capacity(64 * 1024).pageSize(1024).create();
            for (int round = 0; round < 1_000; round++) {
                g.checkpoint();
                for (int p = 0; p < 64; p += 4) {
                    r.putLong(p * 1024L, round);
                }
            }
            Region.Stats s = r.stats();
            assertTrue(s.historyPages() <= 16 * 4, "history held by 4 retained checkpoints only: " + s);
            assertTrue(s.allocatedPages() <= 16 + 16 * 5 + 64, "memory bounded: " + s);
        }
    }

    @Test
    void transactionsReplacingPagesInOneEpochFreeThemAtOnce() {
        try (Group g = Group.inMemory("same-epoch")) {
            Region r = g.regionBuilder("heap").capacity(4 * 1024).pageSize(1024).create();
            for (int i = 0; i < 10_000; i++) {
                long v = i;
                g.atomic(() -> r.putLong(0, v));
            }
            Region.Stats s = r.stats();
            assertEquals(1, s.livePages());
            assertTrue(s.allocatedPages() <= 3, "a commit's replaced page is pooled at once: " + s);
        }
    }
}
