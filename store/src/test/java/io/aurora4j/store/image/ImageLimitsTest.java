package io.aurora4j.store.image;

import io.aurora4j.store.ImageLimitException;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static io.aurora4j.store.image.SampleImages.EVERY_RECORD;
import static io.aurora4j.store.image.SampleImages.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A received image is untrusted: each limit is enforced before anything is allocated or committed for it. */
@Timeout(30)
class ImageLimitsTest {

    private static ImageLimitException exceeds(byte[] image, ImageLimits limits, String limit) {
        RecordingTarget.MiniStore store = new RecordingTarget.MiniStore();
        ImageLimitException e = assertThrows(ImageLimitException.class,
                () -> Images.receive(new ByteArrayInputStream(image), store, limits));
        assertEquals(limit, e.limit(), e.getMessage());
        assertTrue(e.getMessage().contains("ImageLimits." + limit), e.getMessage());
        assertTrue(store.committed.isEmpty());
        return e;
    }

    @Test
    void eachLimitIsEnforcedAndTheDefaultsAcceptTheSample() {
        byte[] image = image(1, -1, "label", EVERY_RECORD);
        Images.receive(new ByteArrayInputStream(image), new RecordingTarget.MiniStore(), ImageLimits.defaults());
        exceeds(image, ImageLimits.defaults().withMaxRecordBytes(100), "maxRecordBytes");
        exceeds(image, ImageLimits.defaults().withMaxTotalBytes(image.length - 1), "maxTotalBytes");
        exceeds(image, ImageLimits.defaults().withMaxObjects(5), "maxObjects");
        exceeds(image, ImageLimits.defaults().withMaxIdLength(4), "maxIdLength");
        Images.receive(new ByteArrayInputStream(image), new RecordingTarget.MiniStore(),
                ImageLimits.defaults().withMaxTotalBytes(image.length).withMaxObjects(6).withMaxIdLength(15));
    }

    @Test
    void aHugeDeclaredLengthIsRejectedBeforeAllocatingOrReading() {
        byte[] image = image(1, -1, null, w -> w.putObject("x", (byte) 0, new byte[] {1}));
        int recordAt = 12 + 9 + 20; // after the prefix and the header record
        byte[] huge = Arrays.copyOf(image, recordAt + 9);
        huge[recordAt] = 0x7F;
        huge[recordAt + 1] = (byte) 0xFF;
        huge[recordAt + 2] = (byte) 0xFF;
        huge[recordAt + 3] = (byte) 0xFF;
        int[] reads = new int[1];
        InputStream counting = new ByteArrayInputStream(huge) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                reads[0] += len;
                return super.read(b, off, len);
            }
        };
        ImageLimitException e = assertThrows(ImageLimitException.class,
                () -> Images.receive(counting, new RecordingTarget.MiniStore(), ImageLimits.defaults()));
        assertEquals(recordAt, e.offset());
        assertTrue(reads[0] <= huge.length, "did not try to read the declared length");
    }

    @Test
    void aDeclaredIdLengthBeyondItsRecordIsCorruptNotAnAllocation() {
        // a valid CRC over a putObject whose id claims 2^31-1 bytes
        byte[] payload = {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 'x'};
        byte[] record = record(0x02, payload);
        byte[] header = Arrays.copyOf(image(1, -1, null, w -> { }), 12 + 9 + 20);
        byte[] bytes = ImageRoundTripTest.concat(header, record);
        ImageLimitException e = assertThrows(ImageLimitException.class, () -> Images.receive(
                new ByteArrayInputStream(bytes), new RecordingTarget.MiniStore(), ImageLimits.defaults()));
        assertEquals("maxIdLength", e.limit());
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> ImageLimits.defaults().withMaxRecordBytes(0));
        assertThrows(IllegalArgumentException.class, () -> ImageLimits.defaults().withMaxTotalBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> ImageLimits.defaults().withMaxObjects(0));
        assertThrows(IllegalArgumentException.class, () -> ImageLimits.defaults().withMaxIdLength(0));
        assertEquals(64 << 20, ImageLimits.defaults().maxRecordBytes());
        assertEquals(64L << 30, ImageLimits.defaults().maxTotalBytes());
    }

    /** A well-framed record with a valid CRC. */
    static byte[] record(int type, byte[] payload) {
        byte[] r = new byte[9 + payload.length];
        int n = payload.length;
        r[0] = (byte) (n >>> 24);
        r[1] = (byte) (n >>> 16);
        r[2] = (byte) (n >>> 8);
        r[3] = (byte) n;
        r[8] = (byte) type;
        System.arraycopy(payload, 0, r, 9, n);
        CRC32C crc = new CRC32C();
        crc.update(r, 0, 4);
        crc.update(r, 8, 1 + n);
        int c = (int) crc.getValue();
        r[4] = (byte) (c >>> 24);
        r[5] = (byte) (c >>> 16);
        r[6] = (byte) (c >>> 8);
        r[7] = (byte) c;
        return r;
    }
}
