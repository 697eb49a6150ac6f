package io.aurora4j.txn;

import io.aurora4j.store.ImageLimitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;

import static io.aurora4j.txn.CraftedImages.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10 (items 2, 3): memory spent on a received region is bounded by what the image carries plus a small
 * constant, or by {@link io.aurora4j.store.ImageLimits}; nothing of it outlives the group. Measured with HotSpot's
 * per-thread allocation counter and the direct buffer pool's bean, never by provoking an OutOfMemoryError.
 */
@Timeout(60)
class ReceiveMemoryBoundTest {
    private static final long MIB = 1 << 20;

    @Test
    void aRegionSpanningHugelyManyPagesIsRefusedBeforeItsPageTableIsBuilt() {
        // ~130 bytes declaring a region of 2^31 - 513 pages of 64 bytes: its page directory alone was ~35 MiB of heap
        byte[] image = full(7, "crafted", w -> w.putObject("r", REGION, regionMeta(((1L << 31) - 513) * 64, 64)));
        Exception[] thrown = new Exception[1];
        long bytes = allocatedBy(() -> {
            try {
                Group.receive(new ByteArrayInputStream(image)).close();
            } catch (RuntimeException e) {
                thrown[0] = e;
            }
        });
        System.out.println("receive figure: a " + image.length + "-byte image declaring 2^31 - 513 pages of 64 bytes: "
                + bytes + " bytes of heap allocated, " + thrown[0]);
        assertTrue(bytes < MIB, "a " + image.length + "-byte image made receive allocate " + bytes + " bytes");
        ImageLimitException e = assertInstanceOf(ImageLimitException.class, thrown[0]);
        assertEquals("maxRegionPages", e.limit());
    }

    @Test
    void aRegionWithinTheLimitCostsItsPageTableAndNoMore() {
        // 2^20 pages of 4 KiB (a 4 GiB sparse region) and one page present: a page directory of 2048 leaves
        byte[] image = full(7, "crafted", w -> {
            w.putObject("r", REGION, regionMeta(1L << 32, 4096));
            page(w, "r", 12345, 4096, (byte) 9);
        });
        long direct = directBytes();
        long bytes = allocatedBy(() -> {
            try (Group g = Group.receive(new ByteArrayInputStream(image))) {
                assertEquals(9, g.region("r").getByte(12345L * 4096));
            }
        });
        assertTrue(bytes < 4 * MIB, "receive, one read and close allocated " + bytes + " bytes of heap");
        assertTrue(directBytes() - direct < 2 * MIB, "direct memory grew by " + (directBytes() - direct));
    }

    @Test
    void aHugePageSizeInAnImageIsRefusedBeforeAnyDirectMemoryIsTaken() {
        // a region of 128 MiB pages: no page of it can travel in a record of at most 64 MiB (the default)
        byte[] image = full(7, "crafted", w -> w.putObject("r", REGION, regionMeta(1L << 30, 1 << 27)));
        long before = directBytes();
        ImageLimitException e = assertThrows(ImageLimitException.class, () -> Group.receive(new ByteArrayInputStream(image)).close());
        assertEquals("maxRecordBytes", e.limit());
        System.out.println("receive figure: a " + image.length + "-byte image declaring pages of 128 MiB: "
                + (directBytes() - before) + " bytes of direct memory taken, " + e.limit());
        assertTrue(directBytes() - before < MIB, "receive took " + (directBytes() - before) + " bytes of direct memory");
    }

    @Test
    void aReceivedRegionsZeroPageDoesNotOutliveItsGroup() throws InterruptedException {
        // 16 MiB pages (within the record limit): the region's page of zeros used to go into a static cache, for good
        byte[] image = full(7, "crafted", w -> w.putObject("r", REGION, regionMeta(32L << 20, 16 << 20)));
        long before = directBytes();
        try (Group g = Group.receive(new ByteArrayInputStream(image))) {
            assertEquals(0, g.region("r").getLong(5 << 20));
        }
        long after = directBytes();
        for (int i = 0; i < 50 && after - before >= 8 * MIB; i++) {
            System.gc(); // the zero page is unreachable once the group is; its buffer's cleaner runs after a collection
            Thread.sleep(20);
            after = directBytes();
        }
        System.out.println("receive figure: a " + image.length + "-byte image declaring pages of 16 MiB: "
                + (after - before) + " bytes of direct memory held after the group closed");
        assertTrue(after - before < 8 * MIB, "the closed group's region still holds " + (after - before) + " bytes of direct memory");
    }

    @Test
    void theRegionPageLimitCountsEveryRegionOfTheImageAndIsTheUsersToSet() {
        // two regions of 2^20 pages each: 2^21 pages spanned together
        byte[] image = full(7, "crafted", w -> {
            w.putObject("a", REGION, regionMeta(1L << 32, 4096));
            w.putObject("b", REGION, regionMeta(1L << 32, 4096));
        });
        io.aurora4j.store.ImageLimits limits = io.aurora4j.store.ImageLimits.defaults();
        try (Group g = Group.receive(new ByteArrayInputStream(image), io.aurora4j.store.Store.memory(), limits.withMaxRegionPages(1 << 21))) {
            assertEquals(1L << 32, g.region("b").capacity());
        }
        io.aurora4j.store.Store store = io.aurora4j.store.Store.memory();
        ImageLimitException e = assertThrows(ImageLimitException.class,
                () -> Group.receive(new ByteArrayInputStream(image), store, limits.withMaxRegionPages((1 << 21) - 1)));
        assertEquals("maxRegionPages", e.limit());
        assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("2097152 pages"), e.getMessage());
        assertTrue(e.offset() > 0, "located at the record: " + e.getMessage());
        assertTrue(store.lastDurable().isEmpty(), "nothing committed");
        store.close();
        assertThrows(IllegalArgumentException.class, () -> limits.withMaxRegionPages(0));
    }
}
