package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The raw writer's hot page (see {@code Region.hotPage}): writes to the page it wrote last skip the page-table
 * lookup, so every event that makes that page wrong to write in place must stop them. Each test makes a page
 * hot (two raw writes in a row, or a first write that copies it), then causes one such event, then writes
 * again and checks where the write went.
 */
class RegionHotPageTest {

    /** Two raw writes in a row to the page of {@code at}: the page is hot afterwards. */
    private static void makeHot(Region r, long at) {
        r.putLong(at, r.getLong(at));
        r.putLong(at, r.getLong(at));
    }

    @Test
    void aCheckpointStopsHotWritesSoTheCheckpointKeepsItsBytes() {
        try (Group g = Group.inMemory("hot-checkpoint")) {
            Region r = g.newRegion("heap", 1 << 16);
            r.putLong(0, 1);
            makeHot(r, 0);
            Checkpoint cp = g.checkpoint();
            r.putLong(8, 2); // must copy the page, not write into the one the checkpoint holds
            r.putInt(16, 3);
            r.putByte(20, (byte) 4);
            assertEquals(0, cp.view().getLong(r, 8));
            assertEquals(0, cp.view().getInt(r, 16));
            assertEquals(0, cp.view().getByte(r, 20));
            assertEquals(2, r.getLong(8));
            g.rollback(cp);
            assertEquals(1, r.getLong(0));
            assertEquals(0, r.getLong(8));
        }
    }

    @Test
    void aTransactionOnTheWritersThreadDoesNotWriteThroughTheHotPage() {
        try (Group g = Group.inMemory("hot-txn")) {
            Region r = g.newRegion("heap", 1 << 16);
            r.putLong(0, 1);
            makeHot(r, 0);
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                r.putLong(8, 99);
                r.putInt(16, 99);
                r.putByte(24, (byte) 99);
                throw new IllegalStateException("abort");
            }));
            assertEquals(0, r.getLong(8), "an aborted transaction changes no byte, even on the hot page");
            assertEquals(0, r.getInt(16));
            assertEquals(0, r.getByte(24));
            g.atomic(() -> r.putLong(8, 5));
            assertEquals(5, r.getLong(8));
            r.putLong(32, 6); // raw again after the transaction
            assertEquals(6, r.getLong(32));
        }
    }

    @Test
    void aCommitFromAnotherThreadThatReplacesTheHotPageRedirectsTheWriter() throws Exception {
        try (Group g = Group.inMemory("hot-commit")) {
            Region r = g.newRegion("heap", 1 << 16);
            g.checkpoint(); // a logging epoch, as in most applications
            r.putLong(0, 1);
            makeHot(r, 0);
            Thread other = Thread.ofPlatform().start(() -> g.atomic(() -> r.putLong(8, 2))); // installs a new page 0
            other.join(); // the hand-over raw mode asks for
            r.putLong(16, 3); // must land in the page the commit installed, not in the one it freed
            r.putLong(24, 4);
            assertEquals(1, r.getLong(0));
            assertEquals(2, r.getLong(8));
            assertEquals(3, r.getLong(16));
            assertEquals(4, r.getLong(24));
            assertEquals(3, g.atomic(() -> r.getLong(16)));
        }
    }

    @Test
    void anotherThreadsTransactionIsNotTakenForTheHotWriter() throws Exception {
        try (Group g = Group.inMemory("hot-other")) {
            Region r = g.newRegion("heap", 1 << 16);
            makeHot(r, 0);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    g.atomic(() -> {
                        r.putLong(8, 99);
                        throw new IllegalStateException("abort");
                    });
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            other.join();
            assertEquals("abort", failure.get().getMessage());
            assertEquals(0, r.getLong(8));
        }
    }

    @Test
    void aRollbackStopsHotWritesToPagesItDiscarded() {
        try (Group g = Group.inMemory("hot-rollback")) {
            Region r = g.newRegion("heap", 1 << 16);
            Checkpoint cp = g.checkpoint();
            makeHot(r, 0);
            r.putLong(0, 7);
            g.rollback(cp); // the hot page was born after cp: it is freed
            r.putLong(8, 8);
            r.putLong(16, 9);
            assertEquals(0, r.getLong(0));
            assertEquals(8, r.getLong(8));
            assertEquals(9, r.getLong(16));
            assertEquals(0, cp.view().getLong(r, 8));
        }
    }

    @Test
    void theLastPartialPageKeepsTheRegionsBounds() {
        try (Group g = Group.inMemory("hot-bounds")) {
            Region r = g.regionBuilder("r").capacity(4096 + 6).create(); // the last page holds 6 bytes
            r.putInt(4096, 1);
            r.putInt(4096, 2); // the last page is hot
            assertThrows(IndexOutOfBoundsException.class, () -> r.putLong(4096, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putInt(4099, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putByte(4102, (byte) 3));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putLong(-8, 3));
            r.putByte(4101, (byte) 5);
            assertEquals(2, r.getInt(4096));
            assertEquals(5, r.getByte(4101));
        }
    }

    @Test
    void closingOrDiscardingTheRegionStopsHotWrites() {
        Group g = Group.inMemory("hot-close");
        Region r = g.newRegion("heap", 1 << 16);
        makeHot(r, 0);
        g.close();
        assertThrows(IllegalStateException.class, () -> r.putLong(8, 1));
        try (Group h = Group.inMemory("hot-discard")) {
            Checkpoint cp = h.checkpoint();
            Region s = h.newRegion("late", 1 << 16);
            makeHot(s, 0);
            h.rollback(cp); // s was created after cp: discarded
            assertThrows(IllegalStateException.class, () -> s.putLong(8, 1));
        }
    }
}
