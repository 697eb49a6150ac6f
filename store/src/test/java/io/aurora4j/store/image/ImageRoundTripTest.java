package io.aurora4j.store.image;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.ImageHeader;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoredCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.List;

import static io.aurora4j.store.image.SampleImages.EVERY_RECORD;
import static io.aurora4j.store.image.SampleImages.calls;
import static io.aurora4j.store.image.SampleImages.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a sender writes, a receiver replays: the same calls in the same order, with the same header. */
@Timeout(30)
class ImageRoundTripTest {

    @Test
    void everyRecordKindRoundTripsInOrder() {
        byte[] bytes = image(7, -1, "nightly ☾", EVERY_RECORD);
        List<ImageHeader> headers = new ArrayList<>();
        List<RecordingTarget.Writer> writers = new ArrayList<>();
        StoredCheckpoint cp = Images.read(new ByteArrayInputStream(bytes), ImageLimits.defaults(), h -> {
            headers.add(h);
            RecordingTarget.Writer w = new RecordingTarget.Writer(h.checkpointId(), h.baseId(), h.label(), null);
            writers.add(w);
            return w;
        });
        assertEquals(List.of(new ImageHeader(1, 7, -1, "nightly ☾")), headers);
        assertEquals(calls(EVERY_RECORD), writers.get(0).calls);
        assertEquals("committed", writers.get(0).state);
        assertEquals(7, cp.id());
        assertTrue(headers.get(0).isFull());
    }

    @Test
    void theWritersCheckpointCountsTheImagesBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StoredCheckpoint cp;
        try (CheckpointWriter w = Images.writer(out, 3, 2, null)) {
            EVERY_RECORD.accept(w);
            cp = w.commit();
        }
        assertEquals(new StoredCheckpoint(3, 2, null, cp.committedAtMillis(), out.size()), cp);
    }

    @Test
    void anEmptyImageRoundTrips() {
        byte[] bytes = image(0, -1, null, w -> { });
        RecordingTarget.MiniStore store = new RecordingTarget.MiniStore();
        StoredCheckpoint cp = Images.receive(new ByteArrayInputStream(bytes), store, ImageLimits.defaults());
        assertEquals(0, cp.id());
        assertEquals(null, cp.label());
        assertEquals(List.of(cp), store.committed);
    }

    @Test
    void imagesFollowingEachOtherOnOneStreamAreReadOneByOne() {
        byte[] first = image(1, -1, "a", w -> w.putObject("x", (byte) 1, new byte[] {1}));
        byte[] second = image(2, 1, "b", w -> w.removeObject("x"));
        ByteArrayInputStream in = new ByteArrayInputStream(concat(first, second));
        RecordingTarget.MiniStore store = new RecordingTarget.MiniStore();
        assertEquals(1, Images.receive(in, store, ImageLimits.defaults()).id());
        assertEquals(second.length, in.available(), "nothing after the first trailer was read");
        assertEquals(2, Images.receive(in, store, ImageLimits.defaults()).id());
        assertEquals(0, in.available());
    }

    @Test
    void aStreamDeliveringOneByteAtATimeIsReadWhole() {
        byte[] bytes = image(9, -1, null, EVERY_RECORD);
        ByteArrayInputStream trickle = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        RecordingTarget.MiniStore store = new RecordingTarget.MiniStore();
        Images.receive(new SequenceInputStream(trickle, new ByteArrayInputStream(new byte[0])), store, ImageLimits.defaults());
        assertEquals(calls(EVERY_RECORD), store.lastWriter.calls);
        assertEquals(1, store.committed.size());
    }

    @Test
    void theWriterRejectsUseAfterCommitOrAbortAndBadIds() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointWriter w = Images.writer(out, 1, -1, null);
        w.commit();
        assertThrows(IllegalStateException.class, () -> w.putObject("x", (byte) 0, new byte[0]));
        assertThrows(IllegalStateException.class, w::commit);
        assertThrows(IllegalStateException.class, w::abort);
        w.close();
        CheckpointWriter aborted = Images.writer(out, 1, -1, null);
        aborted.abort();
        assertThrows(IllegalStateException.class, aborted::commit);
        assertThrows(IllegalArgumentException.class, () -> Images.writer(out, -1, -1, null));
        assertThrows(IllegalArgumentException.class, () -> Images.writer(out, 5, 5, null));
        assertThrows(IllegalArgumentException.class, () -> Images.writer(out, 5, -2, null));
    }

    @Test
    void anAbortedWriterWritesNothingMore() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointWriter w = Images.writer(out, 1, -1, null);
        w.putObject("x", (byte) 0, new byte[] {1});
        int before = out.size();
        w.abort();
        w.close();
        assertEquals(before, out.size());
    }

    @Test
    void anIoFailureFailsTheWriter() {
        OutputStream failing = new OutputStream() {
            int written;

            @Override
            public void write(int b) throws IOException {
                if (++written > 100) {
                    throw new IOException("disk full");
                }
            }
        };
        CheckpointWriter w = Images.writer(failing, 1, -1, null);
        StoreFailedException e = assertThrows(StoreFailedException.class,
                () -> w.putObject("x", (byte) 0, new byte[100]));
        assertEquals("disk full", e.getCause().getMessage());
        assertThrows(StoreFailedException.class, w::commit);
        w.close();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
