package io.aurora4j.txn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10 (item 11): a capacity near {@code Long.MAX_VALUE} overflowed the page count ({@code capacity +
 * pageSize - 1}) to a negative number, was accepted, and then every access threw
 * {@code ArrayIndexOutOfBoundsException}. It is refused at creation, naming the region and the page count.
 */
@Timeout(30)
class RegionCapacityOverflowTest {

    @Test
    void aCapacityWhosePageCountOverflowsIsRefusedAtCreation() {
        try (Group g = Group.inMemory("caps")) {
            for (long capacity : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 10, Long.MAX_VALUE - 4094, 1L << 62}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> g.regionBuilder("r").capacity(capacity).create(), "capacity " + capacity);
                assertTrue(e.getMessage().contains("'r'") && e.getMessage().contains("pages"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> g.newRegion("r2", capacity), "capacity " + capacity);
            }
            // the largest capacity that fits still works, at both ends
            long pages = Integer.MAX_VALUE - RegionRoot.LEAF_SIZE;
            Region big = g.regionBuilder("big").capacity(pages * (1 << 20)).pageSize(1 << 20).create();
            big.putLong(big.capacity() - 8, 5);
            assertEquals(5, big.getLong(big.capacity() - 8));
            assertEquals(0, big.getLong(0));
        }
    }
}
