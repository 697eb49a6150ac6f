package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regions under checkpoints (ARCHITECTURE.md invariants): consistent cuts (3), rollback (4) and cost (8) — a
 * checkpoint copies nothing, the first write to a page after it copies that page only, later writes copy nothing, a
 * rollback puts the checkpoint's pages back without copying them.
 */
class RegionCheckpointTest {

    private static Group group(String name) {
        return Group.builder(name).maintenanceExecutor(Runnable::run).open();
    }

    @Test
    void checkpointCopiesNothingAndFirstWriteCopiesOnePage() {
        try (Group g = group("cost")) {
            Region r = g.newRegion("heap", 64 * 4096);
            for (int p = 0; p < 64; p++) {
                r.putLong(p * 4096L, p);
            }
            Region.Stats before = r.stats();
            assertEquals(64, before.livePages());
            assertEquals(0, before.sharedPages(), "no checkpoint yet: every page is exclusive");
            g.checkpoint();
            Region.Stats after = r.stats();
            assertEquals(before.allocatedPages(), after.allocatedPages(), "a checkpoint allocates no page");
            assertEquals(64, after.sharedPages(), "after a checkpoint every page is frozen (shared with it)");
            r.putLong(5 * 4096L + 8, 1); // first write to page 5 after the checkpoint
            Region.Stats first = r.stats();
            assertEquals(before.allocatedPages() + 1, first.allocatedPages(), "the first write copies exactly one page");
            assertEquals(1, first.historyPages(), "the old page is kept for the checkpoint");
            assertEquals(63, first.sharedPages());
            for (int i = 0; i < 100; i++) {
                r.putLong(5 * 4096L + 16, i); // later writes to the same page copy nothing
            }
            assertEquals(first.allocatedPages(), r.stats().allocatedPages());
            assertEquals(1, r.stats().historyPages());
        }
    }

    @Test
    void rollbackRestoresEveryPageAndViewsReadThePast() {
        try (Group g = group("rollback")) {
            Region r = g.regionBuilder("heap").capacity(40 * 1024).pageSize(1024).create();
            for (int i = 0; i < 40; i++) {
                r.putLong(i * 1024L, 100 + i);
            }
            Checkpoint cp1 = g.checkpoint("one");
            r.putLong(3 * 1024L, -3);
            r.putInt(7 * 1024L + 1020, 77); // spans pages 7 and 8
            Checkpoint cp2 = g.checkpoint("two");
            r.putLong(3 * 1024L, -33);
            r.setMemory(0, 40 * 1024, (byte) 1);
            assertEquals(-3, cp2.view().getLong(r, 3 * 1024L));
            assertEquals(77, cp2.view().getInt(r, 7 * 1024L + 1020));
            assertEquals(103, cp1.view().getLong(r, 3 * 1024L));
            assertEquals(0, cp1.view().getInt(r, 7 * 1024L + 1020));
            byte[] page = new byte[1024];
            cp1.view().getBytes(r, 1024, page, 0, 1024);
            assertEquals(101, page[0]);

            g.rollback(cp2);
            assertEquals(-3, r.getLong(3 * 1024L));
            assertEquals(77, r.getInt(7 * 1024L + 1020));
            assertEquals(120, r.getLong(20 * 1024L));
            g.rollback(cp1);
            for (int i = 0; i < 40; i++) {
                assertEquals(100 + i, r.getLong(i * 1024L), "page " + i);
            }
            assertEquals(0, r.getInt(7 * 1024L + 1020));
            assertThrows(IllegalStateException.class, () -> cp2.view().getLong(r, 0), "cp2 was discarded by the rollback");
        }
    }

    @Test
    void rollbackAfterRollbackAndWritesInBetween() {
        try (Group g = group("again")) {
            Region r = g.newRegion("heap", 8 * 4096);
            r.putLong(0, 1);
            Checkpoint cp = g.checkpoint();
            for (int round = 0; round < 50; round++) {
                r.putLong(0, 1000 + round);
                r.putLong(4096 * (round % 8), round);
                g.rollback(cp);
                assertEquals(1, r.getLong(0));
                for (int p = 1; p < 8; p++) {
                    assertEquals(0, r.getLong(4096L * p));
                }
            }
        }
    }

    @Test
    void consistentCutWithTransactionsOnOtherState() {
        try (Group g = group("cut")) {
            Region r = g.newRegion("heap", 4 * 4096);
            TLong n = g.newLong("n", 0);
            for (int i = 1; i <= 20; i++) {
                long v = i;
                g.atomic(() -> {
                    n.set(v);
                    r.putLong(0, v);
                    r.putLong(3 * 4096L, -v);
                });
                Checkpoint cp = g.checkpoint();
                assertEquals(v, cp.view().get(n));
                assertEquals(v, cp.view().getLong(r, 0));
                assertEquals(-v, cp.view().getLong(r, 3 * 4096L));
            }
        }
    }

    @Test
    void regionsCreatedAfterTheCheckpointAreDiscardedByRollback() {
        try (Group g = group("discard")) {
            Checkpoint cp = g.checkpoint();
            Region late = g.newRegion("late", 4096);
            late.putLong(0, 5);
            assertThrows(NoSuchElementException.class, () -> cp.view().getLong(late, 0));
            g.rollback(cp);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> late.getLong(0));
            assertTrue(e.getMessage().contains("Region 'late'"), e.getMessage());
            assertThrows(NoSuchElementException.class, () -> g.region("late"));
        }
    }

    @Test
    void excludedRegionSurvivesRollbackAndIsNotViewable() {
        try (Group g = group("excluded")) {
            Region cache = g.regionBuilder("cache").capacity(4 * 4096).excludedFromCheckpoints().create();
            Region kept = g.newRegion("kept", 4096);
            cache.putLong(0, 1);
            kept.putLong(0, 1);
            Checkpoint cp = g.checkpoint();
            long allocated = cache.stats().allocatedPages();
            cache.putLong(0, 2); // no copy: excluded regions are written in place
            g.atomic(() -> {
                cache.putLong(8, 3);
                kept.putLong(0, 2);
            });
            assertEquals(0, cache.stats().historyPages());
            g.rollback(cp);
            assertEquals(2, cache.getLong(0), "excluded: the rollback leaves it unchanged");
            assertEquals(3, cache.getLong(8));
            assertEquals(1, kept.getLong(0));
            assertTrue(cache.stats().allocatedPages() <= allocated + 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cp.view().getLong(cache, 0));
            assertTrue(e.getMessage().contains("excluded"), e.getMessage());
        }
    }
}
