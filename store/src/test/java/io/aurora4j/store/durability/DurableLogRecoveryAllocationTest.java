package io.aurora4j.store.durability;

import io.aurora4j.store.Store;
import io.aurora4j.store.testing.AllocationMeter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10 (found by {@code DurableLogFuzzTest}): recovering a log whose record is bad looks for an intact record
 * after it, to tell corruption from a torn tail. It tried every later offset and allocated a payload array of the
 * length claimed there, so bytes that claim a long record at every fourth offset made the open allocate and
 * checksum about (file size / 4) x (claimed length): 4.3 GB for a 256 KiB file. The search now streams each
 * candidate's checksum through one small buffer and skips candidates whose number no record at that offset could
 * have.
 */
class DurableLogRecoveryAllocationTest {
    @TempDir
    Path dir;

    @Test
    void issue10_aBadRecordFollowedByBytesClaimingLongRecordsEverywhereRecoversInBoundedMemory() throws Exception {
        // a real log of two records, then a bad third record and 256 KiB of 00 00 01 00: length 65536 at every 4th offset
        try (Store store = Store.directoryBuilder(dir).backgroundDeletes(false).open()) {
            store.log("x").append(new byte[] {1});
            store.log("x").append(new byte[] {2});
        }
        Path file = dir.resolve("log-x.dat");
        byte[] written = Files.readAllBytes(file);
        ByteBuffer tail = ByteBuffer.allocate(16 + (256 << 10)).order(ByteOrder.LITTLE_ENDIAN);
        tail.putInt(8).putInt(0xBAD).putLong(2); // a record header whose checksum is wrong
        while (tail.hasRemaining()) {
            tail.put((byte) 0).put((byte) 0).put((byte) 1).put((byte) 0);
        }
        ByteBuffer all = ByteBuffer.allocate(written.length + tail.capacity()).put(written).put(tail.array());
        Files.write(file, all.array());
        long size = all.capacity();

        List<byte[]> records = new ArrayList<>();
        AllocationMeter.Cost cost = AllocationMeter.measure(() -> {
            try (Store store = Store.directoryBuilder(dir).backgroundDeletes(false).open()) {
                store.log("x").read(0, (number, record) -> records.add(record));
            }
        });
        assertEquals(null, cost.thrown()); // no intact record follows: the bad record is a torn tail
        assertEquals(2, records.size());
        assertTrue(cost.heapBytes() < 16 * size + (4 << 20), () -> "recovering a log of " + size + " bytes allocated "
                + cost.heapBytes() + " bytes");
    }
}
