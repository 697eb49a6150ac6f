package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code group.fork(cp)}: a new group starting from the checkpoint, sharing region pages copy-on-write both ways. */
class RegionForkTest {

    @Test
    void forkStartsFromTheCheckpointAndBothSidesDiverge() {
        try (Group g = Group.builder("origin").maintenanceExecutor(Runnable::run).open()) {
            Region r = g.regionBuilder("heap").capacity(32 * 1024).pageSize(1024).create();
            TLong n = g.newLong("n", 1);
            TRef<String> s = g.newRef("s", "a");
            TMap<String, Integer> m = g.newMap("m");
            m.put("k", 1);
            for (int p = 0; p < 32; p++) {
                r.putLong(p * 1024L, p);
            }
            Checkpoint cp = g.checkpoint();
            r.putLong(0, -1);
            n.set(2);
            g.newLong("later", 0);
            long allocatedBefore = r.stats().allocatedPages();
            try (Group f = g.fork(cp, "child")) {
                assertEquals(allocatedBefore, r.stats().allocatedPages(), "a fork copies no page");
                Region fr = f.region("heap");
                assertEquals(0, fr.getLong(0), "the fork sees the checkpoint, not the later write");
                assertEquals(31, fr.getLong(31 * 1024L));
                assertEquals(32, fr.stats().livePages());
                assertEquals(32, fr.stats().sharedPages());
                assertEquals(0, fr.stats().allocatedPages());
                assertEquals(1, f.longRef("n").get());
                assertEquals("a", f.<String>ref("s").get());
                assertEquals(1, f.<String, Integer>map("m").get("k"));
                assertThrows(java.util.NoSuchElementException.class, () -> f.longRef("later"));

                fr.putLong(8 * 1024L, 800); // copy-on-write in the fork
                r.putLong(9 * 1024L, 900);  // and in the origin
                assertEquals(8, r.getLong(8 * 1024L));
                assertEquals(9, fr.getLong(9 * 1024L));
                assertEquals(1, fr.stats().allocatedPages());
                f.atomic(() -> fr.putLong(10 * 1024L, fr.getLong(10 * 1024L) + 1000));
                assertEquals(1010, fr.getLong(10 * 1024L));
                assertEquals(10, r.getLong(10 * 1024L));

                Checkpoint fcp = f.checkpoint();
                fr.putLong(8 * 1024L, 801);
                f.rollback(fcp);
                assertEquals(800, fr.getLong(8 * 1024L));
                g.rollback(cp);
                assertEquals(0, r.getLong(0));
                assertEquals(9, r.getLong(9 * 1024L));
                assertEquals(800, fr.getLong(8 * 1024L), "a rollback of the origin leaves the fork alone");
            }
        }
    }

    @Test
    void manyForksOfOneCheckpointAreIndependent() {
        try (Group g = Group.builder("template").maintenanceExecutor(Runnable::run).open()) {
            Region r = g.regionBuilder("heap").capacity(1 << 20).create();
            for (int p = 0; p < 256; p++) {
                r.putLong(p * 4096L, p);
            }
            Checkpoint warm = g.checkpoint("warm");
            List<Group> forks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Group f = g.fork(warm);
                forks.add(f);
                f.region("heap").putLong(0, 1000 + i);
            }
            for (int i = 0; i < 50; i++) {
                Region fr = forks.get(i).region("heap");
                assertEquals(1000 + i, fr.getLong(0));
                assertEquals(255, fr.getLong(255 * 4096L));
                assertEquals(1, fr.stats().allocatedPages(), "each fork copied only the page it wrote");
            }
            assertEquals(0, r.getLong(0));
            forks.forEach(Group::close);
        }
    }

    @Test
    void pagesAForkSeesAreNotReusedByTheOriginUntilTheForkCloses() {
        try (Group g = Group.builder("pins").retainCheckpoints(1).maintenanceExecutor(Runnable::run).open()) {
            Region r = g.regionBuilder("heap").capacity(16 * 1024).pageSize(1024).create();
            for (int p = 0; p < 16; p++) {
                r.putLong(p * 1024L, p);
            }
            Checkpoint cp = g.checkpoint();
            Group f = g.fork(cp);
            Region fr = f.region("heap");
            for (int round = 0; round < 20; round++) {
                g.checkpoint(); // cp leaves retention: its pages are released, but the fork still reads them
                for (int p = 0; p < 16; p++) {
                    r.putLong(p * 1024L, 1000 * round + p);
                }
            }
            for (int p = 0; p < 16; p++) {
                assertEquals(p, fr.getLong(p * 1024L), "the fork's page " + p + " was reused by the origin");
            }
            assertTrue(r.stats().orphanedPages() > 0, "pages the fork sees are left to the garbage collector");
            f.close();
            for (int round = 0; round < 5; round++) {
                g.checkpoint();
                for (int p = 0; p < 16; p++) {
                    r.putLong(p * 1024L, round);
                }
            }
        }
    }

    @Test
    void forkMisuse() {
        try (Group g = Group.inMemory("a"); Group h = Group.inMemory("b")) {
            Checkpoint cp = h.checkpoint();
            assertThrows(IllegalArgumentException.class, () -> g.fork(cp));
            Checkpoint mine = g.checkpoint();
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> g.fork(mine)));
        }
    }
}
