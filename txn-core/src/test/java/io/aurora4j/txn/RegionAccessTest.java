package io.aurora4j.txn;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Region's access API: values, byte order, page-spanning accesses, bounds and misuse errors. */
class RegionAccessTest {

    @Test
    void freshRegionReadsZerosAndHoldsNoMemory() {
        try (Group g = Group.inMemory("fresh")) {
            Region r = g.newRegion("heap", 1L << 30); // 1 GiB: nothing is allocated until written
            assertEquals(1L << 30, r.capacity());
            assertEquals(4096, r.pageSize());
            assertEquals(0L, r.getLong(123_456_784L));
            assertEquals(0, r.stats().livePages());
            assertEquals(0, r.stats().allocatedPages());
            r.putLong(8, 42);
            assertEquals(42, r.getLong(8));
            assertEquals(1, r.stats().livePages());
            assertSame(r, g.region("heap"));
        }
    }

    @Test
    void valuesRoundTripInNativeOrderAndAcrossPages() {
        try (Group g = Group.inMemory("values")) {
            Region r = g.regionBuilder("r").capacity(1000).pageSize(64).create();
            r.putLong(0, 0x0102030405060708L);
            UnsafeBuffer expect = new UnsafeBuffer(new byte[8]);
            expect.putLong(0, 0x0102030405060708L);
            assertEquals(expect.getByte(0), r.getByte(0), "native byte order, as UnsafeBuffer");
            r.putLong(60, -7L); // spans pages 0 and 1
            assertEquals(-7L, r.getLong(60));
            r.putInt(126, 0xCAFEBABE); // spans pages 1 and 2
            assertEquals(0xCAFEBABE, r.getInt(126));
            r.putByte(999, (byte) 9);
            assertEquals(9, r.getByte(999));
            byte[] data = new byte[300];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            r.putBytes(500, data);
            byte[] back = new byte[300];
            r.getBytes(500, back);
            assertArrayEquals(data, back);
            UnsafeBuffer dst = new UnsafeBuffer(new byte[310]);
            r.getBytes(500, dst, 10, 300);
            assertEquals(data[299], dst.getByte(309));
            r.putBytes(700, new UnsafeBuffer(data), 100, 200);
            assertEquals(data[150], r.getByte(750));
            r.setMemory(10, 200, (byte) 0x5A);
            assertEquals(0x5A, r.getByte(10));
            assertEquals(0x5A, r.getByte(209));
            assertEquals(0, r.getByte(210), "unchanged past the range");
            assertEquals(ByteOrder.nativeOrder(), ByteOrder.nativeOrder());
        }
    }

    @Test
    void outOfBoundsNamesRegionOffsetLengthAndCapacity() {
        try (Group g = Group.inMemory("bounds")) {
            Region r = g.newRegion("heap", 4096 * 3 + 5);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> r.putLong(4096 * 3, 1));
            assertTrue(e.getMessage().contains("Region 'heap'"), e.getMessage());
            assertTrue(e.getMessage().contains("group 'bounds'"), e.getMessage());
            assertTrue(e.getMessage().contains("offset 12288"), e.getMessage());
            assertTrue(e.getMessage().contains("length 8"), e.getMessage());
            assertTrue(e.getMessage().contains("capacity 12293"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> r.getLong(-1));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getInt(12290));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putByte(12293, (byte) 1));
            assertThrows(IndexOutOfBoundsException.class, () -> r.setMemory(12000, 294, (byte) 1));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getBytes(12290, new byte[4]));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putBytes(0, new byte[4], 2, 3));
            r.putByte(12292, (byte) 1); // the last byte is fine
            r.getBytes(12293, new byte[0]); // empty at the end is fine
        }
    }

    @Test
    void builderFailsFastNamingTheConflict() {
        try (Group g = Group.inMemory("builder")) {
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> g.regionBuilder("r").capacity(100).pageSize(3000));
            assertTrue(bad.getMessage().contains("power of two"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> g.regionBuilder("r").capacity(0));
            assertThrows(IllegalArgumentException.class, () -> g.regionBuilder("r").pageSize(32));
            IllegalStateException twice = assertThrows(IllegalStateException.class,
                    () -> g.regionBuilder("r").pageSize(8192).pageSize(4096));
            assertTrue(twice.getMessage().contains("8192"), twice.getMessage());
            IllegalStateException noCapacity = assertThrows(IllegalStateException.class, () -> g.regionBuilder("r").create());
            assertTrue(noCapacity.getMessage().contains("capacity"), noCapacity.getMessage());
            g.newRegion("r", 10);
            IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> g.newRegion("r", 10));
            assertTrue(dup.getMessage().contains("Region"), dup.getMessage());
            g.newLong("n", 1);
            assertThrows(IllegalArgumentException.class, () -> g.region("n"));
            assertThrows(NoSuchElementException.class, () -> g.region("missing"));
        }
    }

    @Test
    void misuseFailsAtOnce() {
        Group g = Group.inMemory("misuse");
        Region r = g.newRegion("heap", 4096);
        r.putLong(0, 1);
        try (Group other = Group.inMemory("other")) {
            IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> other.atomic(() -> r.putLong(0, 2)));
            assertTrue(foreign.getMessage().contains("Region 'heap'"), foreign.getMessage());
            assertThrows(IllegalArgumentException.class, () -> other.atomic(() -> r.getLong(0)));
        }
        assertThrows(IllegalStateException.class, () -> g.atomic(() -> g.newRegion("inside", 10)));
        g.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> r.putLong(0, 3));
        assertTrue(closed.getMessage().contains("misuse"), closed.getMessage());
        assertThrows(IllegalStateException.class, () -> r.getLong(0));
        assertFalse(r.isExcludedFromCheckpoints());
    }
}
