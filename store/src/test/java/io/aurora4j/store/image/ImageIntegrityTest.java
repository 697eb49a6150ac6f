package io.aurora4j.store.image;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;

import static io.aurora4j.store.image.SampleImages.EVERY_RECORD;
import static io.aurora4j.store.image.SampleImages.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A received image is committed whole or not at all: a truncated, aborted, altered or foreign stream is a
 * {@link StoreCorruptedException} with the stream offset, the target writer is aborted, and nothing is
 * committed.
 */
@Timeout(60)
class ImageIntegrityTest {
    private static final byte[] IMAGE = image(5, -1, "cp", EVERY_RECORD);

    /** Receives {@code bytes} into a fresh store, expecting corruption; checks nothing was committed. */
    private static StoreCorruptedException rejected(byte[] bytes, String what) {
        RecordingTarget.MiniStore store = new RecordingTarget.MiniStore();
        StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                () -> Images.receive(new ByteArrayInputStream(bytes), store, ImageLimits.defaults()), what);
        assertTrue(store.committed.isEmpty(), () -> what + ": committed " + store);
        assertNull(store.writer, () -> what + ": the writer was left open");
        assertNull(e.file());
        assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, () -> what + ": offset " + e.offset());
        return e;
    }

    @Test
    void truncatedAtEveryOffsetNothingIsCommitted() {
        for (int n = 0; n < IMAGE.length; n++) {
            StoreCorruptedException e = rejected(Arrays.copyOf(IMAGE, n), "truncated to " + n);
            if (n >= 12) {
                assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("without a trailer"), e.getMessage());
            }
        }
    }

    @Test
    void everySingleBitFlipIsDetected() {
        for (int i = 0; i < IMAGE.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = IMAGE.clone();
                flipped[i] ^= (byte) (1 << bit);
                rejected(flipped, "bit " + bit + " of byte " + i + " flipped");
            }
        }
    }

    @Test
    void randomDamageIsDetected() {
        Random random = new Random(99);
        for (int round = 0; round < 5_000; round++) {
            byte[] damaged = IMAGE.clone();
            int from = random.nextInt(damaged.length);
            int n = 1 + random.nextInt(Math.min(16, damaged.length - from));
            for (int i = from; i < from + n; i++) {
                damaged[i] = (byte) random.nextInt();
            }
            if (!Arrays.equals(damaged, IMAGE)) {
                rejected(damaged, "bytes " + from + ".." + (from + n) + " randomized");
            }
        }
    }

    @Test
    void randomBytesAreRejected() {
        Random random = new Random(3);
        for (int round = 0; round < 5_000; round++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            if (round % 2 == 0 && bytes.length >= 12) {
                System.arraycopy(IMAGE, 0, bytes, 0, 12); // a valid prefix, to reach the records
            }
            rejected(bytes, "random bytes " + round);
        }
    }

    @Test
    void anImageAbortedByItsSenderIsRejected() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointWriter w = Images.writer(out, 1, -1, null);
        w.putObject("x", (byte) 1, new byte[] {1});
        w.abort();
        StoreCorruptedException e = rejected(out.toByteArray(), "aborted");
        assertTrue(e.getMessage().contains("without a trailer"), e.getMessage());
        assertEquals(out.size(), e.offset());
    }

    @Test
    void aForeignStreamOrAnotherVersionIsRejected() {
        assertTrue(rejected("GET / HTTP/1.1\r\n\r\n".getBytes(), "http").getMessage().contains("magic"));
        assertTrue(rejected(new byte[0], "empty").getMessage().contains("ends after 0 bytes"));
        byte[] v2 = IMAGE.clone();
        v2[11] = 2;
        StoreCorruptedException e = rejected(v2, "version 2");
        assertTrue(e.getMessage().contains("version 2 is not supported"), e.getMessage());
    }

    @Test
    void theTargetIsAbortedAfterItWasBegun() {
        byte[] truncated = Arrays.copyOf(IMAGE, IMAGE.length - 1);
        RecordingTarget.Writer[] target = new RecordingTarget.Writer[1];
        assertThrows(StoreCorruptedException.class, () -> Images.read(new ByteArrayInputStream(truncated),
                ImageLimits.defaults(), h -> target[0] = new RecordingTarget.Writer(h.checkpointId(), h.baseId(), h.label(), null)));
        assertEquals("aborted", target[0].state);
        assertEquals(SampleImages.calls(EVERY_RECORD), target[0].calls, "records were streamed before the end was known");
    }

    @Test
    void aFailingStreamIsAStoreExceptionAndNothingIsCommitted() {
        InputStream failing = new InputStream() {
            int at;

            @Override
            public int read() throws IOException {
                if (at == 100) {
                    throw new IOException("connection reset");
                }
                return IMAGE[at++] & 0xFF;
            }
        };
        RecordingTarget.MiniStore store = new RecordingTarget.MiniStore();
        StoreException e = assertThrows(StoreException.class, () -> Images.receive(failing, store, ImageLimits.defaults()));
        assertEquals("connection reset", e.getCause().getMessage());
        assertTrue(store.committed.isEmpty());
        assertEquals(1, store.aborted);
    }
}
