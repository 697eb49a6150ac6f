package io.aurora4j.store.limits;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.ImageLimitException;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreLimits;
import io.aurora4j.store.spi.StoredState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link StoreLimits} is what a group checks at creation and at each write so that what it accepts can be stored,
 * sent and received (issue #10, defect 13): records of exactly the largest sizes it allows must go through a
 * directory store and through an image read with {@link ImageLimits#defaults()}, and one byte more must be what the
 * default receive limits reject (so the limits are neither too loose nor needlessly tight).
 */
@Timeout(60)
class StoreLimitsFitBothFormatsTest {
    private static final String LONGEST_ID = "i".repeat(StoreLimits.MAX_ID_BYTES);

    @Test
    void theLimitsAreTheDefaultReceiveLimitsAndAPageIs32MiB() {
        assertEquals(ImageLimits.defaults().maxIdLength(), StoreLimits.MAX_ID_BYTES);
        assertEquals(ImageLimits.defaults().maxRecordBytes(), StoreLimits.MAX_RECORD_BYTES);
        assertEquals(32 << 20, StoreLimits.MAX_PAGE_SIZE);
        assertEquals(StoreLimits.MAX_RECORD_BYTES - StoreLimits.RECORD_OVERHEAD - 3, StoreLimits.maxDataBytes(3));
        assertThrows(IllegalArgumentException.class, () -> StoreLimits.maxDataBytes(StoreLimits.MAX_ID_BYTES + 1));
    }

    @Test
    void theLargestPageAndValueWithTheLongestIdGoThroughADirectoryStoreAndADefaultReceive(@TempDir Path dir) {
        byte[] page = new byte[StoreLimits.maxDataBytes(StoreLimits.MAX_ID_BYTES)]; // larger than MAX_PAGE_SIZE
        page[0] = 1;
        page[page.length - 1] = 2;
        int entryBytes = StoreLimits.maxDataBytes(StoreLimits.MAX_ID_BYTES);
        byte[] key = {7, 7};
        byte[] entryValue = new byte[entryBytes - key.length];
        entryValue[entryValue.length - 1] = 3;
        byte[] objectValue = new byte[entryBytes];
        objectValue[0] = 4;
        String other = LONGEST_ID.substring(1) + "j";

        byte[] image;
        try (Store store = Store.directory(dir)) {
            try (CheckpointWriter w = store.begin(1, -1, "l".repeat(StoreLimits.MAX_ID_BYTES))) {
                w.putObject(LONGEST_ID, (byte) 4, new byte[16]);
                w.putPage(LONGEST_ID, 0, new UnsafeBuffer(page), 0, page.length);
                w.putObject(other, (byte) 3, new byte[0]);
                w.putEntry(other, key, entryValue);
                w.putObject("v" + LONGEST_ID.substring(1), (byte) 2, objectValue);
                w.commit();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Images.write(store.state(1), out);
            image = out.toByteArray();
        }
        try (Store reopened = Store.directory(dir)) {
            checkState(reopened.state(1), other, page, key, entryValue, objectValue);
        }
        try (Store received = Store.memory()) {
            Images.receive(new ByteArrayInputStream(image), received, ImageLimits.defaults());
            assertFalse(received.isFailed());
            checkState(received.state(1), other, page, key, entryValue, objectValue);
        }
    }

    @Test
    void oneByteMoreThanTheLimitIsWhatTheDefaultReceiveRejects() {
        // A page record has the most fixed fields (RECORD_OVERHEAD), so it is the one that meets the limit exactly.
        byte[] page = new byte[StoreLimits.maxDataBytes(StoreLimits.MAX_ID_BYTES) + 1];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CheckpointWriter w = Images.writer(out, 1, -1, null)) {
            w.putObject(LONGEST_ID, (byte) 4, new byte[16]);
            w.putPage(LONGEST_ID, 0, new UnsafeBuffer(page), 0, page.length);
            w.commit();
        }
        try (Store received = Store.memory()) {
            ImageLimitException e = assertThrows(ImageLimitException.class,
                    () -> Images.receive(new ByteArrayInputStream(out.toByteArray()), received, ImageLimits.defaults()));
            assertEquals("maxRecordBytes", e.limit(), e.getMessage());
        }
    }

    private static void checkState(StoredState state, String other, byte[] page, byte[] key, byte[] entryValue,
                                   byte[] objectValue) {
        assertArrayEquals(new long[] {0}, state.pages(LONGEST_ID));
        UnsafeBuffer read = new UnsafeBuffer(new byte[page.length]);
        assertEquals(page.length, state.readPage(LONGEST_ID, 0, read, 0));
        assertArrayEquals(page, read.byteArray());
        byte[][] entry = new byte[2][];
        state.forEachEntry(other, (k, v) -> {
            entry[0] = k;
            entry[1] = v;
        });
        assertArrayEquals(key, entry[0]);
        assertArrayEquals(entryValue, entry[1]);
        byte[] value = state.objects().stream().filter(o -> o.id().startsWith("v")).findFirst().orElseThrow().value();
        assertEquals(objectValue.length, value.length);
        assertEquals(Arrays.hashCode(objectValue), Arrays.hashCode(value));
    }
}
