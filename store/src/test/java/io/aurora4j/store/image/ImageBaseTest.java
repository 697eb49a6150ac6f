package io.aurora4j.store.image;

import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.StoreCorruptedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.util.Arrays;

import static io.aurora4j.store.image.SampleImages.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An incremental image is received only over the checkpoint it was made against: the store's newest. */
@Timeout(30)
class ImageBaseTest {
    private static final byte[] FULL_1 = image(1, -1, "base", w -> w.putObject("x", (byte) 1, new byte[] {1}));
    private static final byte[] INCR_2_OVER_1 = image(2, 1, null, w -> w.putObject("x", (byte) 1, new byte[] {2}));
    private static final byte[] INCR_3_OVER_2 = image(3, 2, null, w -> w.removeObject("x"));

    private static void receive(byte[] image, RecordingTarget.MiniStore store) {
        Images.receive(new ByteArrayInputStream(image), store, ImageLimits.defaults());
    }

    @Test
    void increments_are_accepted_in_order() {
        RecordingTarget.MiniStore store = new RecordingTarget.MiniStore();
        receive(FULL_1, store);
        receive(INCR_2_OVER_1, store);
        receive(INCR_3_OVER_2, store);
        assertEquals(3, store.lastDurable().orElseThrow().id());
        assertEquals(2, store.lastDurable().orElseThrow().baseId());
    }

    @Test
    void anIncrementOverAnotherBaseIsRefusedBeforeAnythingIsWritten() {
        RecordingTarget.MiniStore empty = new RecordingTarget.MiniStore();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> receive(INCR_2_OVER_1, empty));
        assertTrue(e.getMessage().contains("incremental over checkpoint 1") && e.getMessage().contains("is none"), e.getMessage());
        assertNull(empty.lastWriter, "no writer was begun");

        RecordingTarget.MiniStore store = new RecordingTarget.MiniStore();
        receive(FULL_1, store);
        e = assertThrows(IllegalArgumentException.class, () -> receive(INCR_3_OVER_2, store));
        assertTrue(e.getMessage().contains("newest checkpoint of mini store is 1"), e.getMessage());
        assertEquals(1, store.committed.size());
    }

    @Test
    void anImageNotNewerThanTheStoresNewestIsRefused() {
        RecordingTarget.MiniStore store = new RecordingTarget.MiniStore();
        receive(FULL_1, store);
        receive(INCR_2_OVER_1, store);
        assertThrows(IllegalArgumentException.class, () -> receive(FULL_1, store));
        receive(image(9, -1, "full again", w -> { }), store);
        assertEquals(9, store.lastDurable().orElseThrow().id());
    }

    @Test
    void aHeaderWithAnImpossibleBaseIsCorrupt() {
        byte[] bad = FULL_1.clone();
        int headerEnd = 12 + 9 + 20 + "base".length();
        // the base id field of the header record (after the prefix, the record header and the checkpoint id) := 0x0505...
        Arrays.fill(bad, 12 + 9 + 8, 12 + 9 + 16, (byte) 0x05);
        byte[] payload = Arrays.copyOfRange(bad, 12 + 9, headerEnd);
        byte[] rebuilt = ImageRoundTripTest.concat(Arrays.copyOf(bad, 12),
                ImageRoundTripTest.concat(ImageLimitsTest.record(0x01, payload), Arrays.copyOfRange(bad, headerEnd, bad.length)));
        StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                () -> receive(rebuilt, new RecordingTarget.MiniStore()));
        assertTrue(e.getMessage().contains("base id"), e.getMessage());
    }
}
