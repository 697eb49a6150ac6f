package io.aurora4j.txn;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10, defect 13: sizes the API accepted but the store or the image format could not hold — 64 MiB region pages
 * (images the default receive limits reject), 512 MiB pages (durability failed for good at the first barrier), object
 * ids and labels over 65,535 UTF-8 bytes (the same at the next barrier). Whatever a group lets you create must be
 * storable, sendable and receivable with default limits; one step above is rejected at the creating call.
 */
@Timeout(120)
class StorableSizesIssue10Test {
    @TempDir
    Path dir;

    private static final int MIB = 1 << 20;

    private Group durable(String name) {
        return Group.builder(name).store(Store.directory(dir)).checkpointEvery(Duration.ofHours(1)).open();
    }

    @Test
    void theLargestPageAndLongestIdsRoundTripThroughADirectoryStoreSendAndADefaultReceive() throws Exception {
        String regionId = "r".repeat(StoreLimits.MAX_ID_BYTES);
        String refId = "é".repeat(StoreLimits.MAX_ID_BYTES / 2) + "x"; // 2-byte chars: exactly the limit
        assertEquals(StoreLimits.MAX_ID_BYTES, refId.getBytes(StandardCharsets.UTF_8).length);
        String label = "€".repeat(StoreLimits.MAX_ID_BYTES / 3); // 3-byte chars: exactly the limit
        int page = StoreLimits.MAX_PAGE_SIZE;
        byte[] image;
        try (Group g = durable("big")) {
            Region r = g.regionBuilder(regionId).capacity(2L * page).pageSize(page).create();
            TRef<String> ref = g.newRef(refId, "v");
            r.putLong(0, 1L);
            r.putLong(page - 8, 2L);
            r.putLong(2L * page - 8, 3L);
            ref.set("w");
            Checkpoint cp = g.checkpoint(label);
            g.barrier().get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(cp.durable().isDone() && !cp.durable().isCompletedExceptionally());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            g.send(cp, out);
            image = out.toByteArray();
        }
        try (Group g = Group.open(Store.directory(dir))) {
            check(g, regionId, refId, page);
        }
        try (Group received = Group.receive(new ByteArrayInputStream(image))) { // default ImageLimits
            check(received, regionId, refId, page);
            assertEquals(label, received.history().get(0).label().orElseThrow());
        }
    }

    private static void check(Group g, String regionId, String refId, int page) {
        Region r = g.region(regionId);
        assertEquals(page, r.pageSize());
        assertEquals(1L, r.getLong(0));
        assertEquals(2L, r.getLong(page - 8));
        assertEquals(3L, r.getLong(2L * page - 8));
        assertEquals("w", g.ref(refId).get());
    }

    @Test
    void pagesAboveTheLimitAreRejectedAtCreationNamingTheLimit() {
        try (Group g = durable("pages")) {
            for (int size : new int[] {64 * MIB, 512 * MIB, 1 << 30}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> g.regionBuilder("heap").capacity(size).pageSize(size), "page size " + size);
                assertTrue(e.getMessage().contains("region 'heap'") && e.getMessage().contains("StoreLimits.MAX_PAGE_SIZE")
                        && e.getMessage().contains(Integer.toString(size)), e.getMessage());
            }
            g.regionBuilder("heap").capacity(64 * MIB).pageSize(32 * MIB).create(); // the largest is fine
            g.barrier().join(); // and durability goes on
        }
    }

    @Test
    void idsAboveTheLimitAreRejectedAtCreationAndDurabilityGoesOn() {
        try (Group g = durable("ids")) {
            String ascii = "a".repeat(StoreLimits.MAX_ID_BYTES + 1);
            String threeByte = "€".repeat(StoreLimits.MAX_ID_BYTES / 3 + 1); // 21,846 chars, 65,538 bytes
            for (String id : new String[] {ascii, threeByte}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.newLong(id, 1));
                assertTrue(e.getMessage().contains("group 'ids'") && e.getMessage().contains("65535"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> g.newRef(id, "v"));
                assertThrows(IllegalArgumentException.class, () -> g.newMap(id));
                assertThrows(IllegalArgumentException.class, () -> g.newRegion(id, 64));
            }
            TLong n = g.newLong("n", 7);
            n.set(8);
            g.barrier().join();
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals(8, g.longRef("n").get());
        }
    }

    @Test
    void labelsAboveTheLimitAreRejectedAtTheCheckpointAndDurabilityGoesOn() {
        try (Group g = durable("labels")) {
            TLong n = g.newLong("n", 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> g.checkpoint("l".repeat(StoreLimits.MAX_ID_BYTES + 1)));
            assertTrue(e.getMessage().contains("label") && e.getMessage().contains("group 'labels'"), e.getMessage());
            n.set(2);
            g.barrier().join();
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals(2, g.longRef("n").get());
        }
    }

    @Test
    void aStoreHoldingLargerPagesThanTheLimitStillOpens() {
        // Written as a group of an earlier version did, before pages were limited (64 MiB pages fit a store record).
        try (Store store = Store.directory(dir)) {
            try (CheckpointWriter w = store.begin(1, -1, null)) {
                w.putObject(ObjectFormat.GROUP_META_ID, ObjectFormat.KIND_GROUP, "old".getBytes(StandardCharsets.UTF_8));
                byte[] meta = new byte[16];
                long capacity = 128L * MIB;
                long pageSize = 64L * MIB;
                for (int i = 0; i < 8; i++) {
                    meta[i] = (byte) (capacity >>> (56 - 8 * i));
                    meta[8 + i] = (byte) (pageSize >>> (56 - 8 * i));
                }
                w.putObject("heap", ObjectFormat.KIND_REGION, meta);
                w.commit();
            }
        }
        try (Group g = Group.open(Store.directory(dir))) {
            Region heap = g.region("heap");
            assertEquals(64 * MIB, heap.pageSize());
            heap.putLong(64L * MIB, 5L);
            g.barrier().join();
        }
        try (Group g = Group.open(Store.directory(dir))) {
            assertEquals(5L, g.region("heap").getLong(64L * MIB));
        }
    }
}
