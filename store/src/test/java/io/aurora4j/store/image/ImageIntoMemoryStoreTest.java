package io.aurora4j.store.image;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.Images;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

import static io.aurora4j.store.image.SampleImages.EVERY_RECORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Send and receive between real stores: the receiving store ends up with the sender's state, or unchanged. */
@Timeout(60)
class ImageIntoMemoryStoreTest {

    private static StoredCheckpoint commit(Store store, long id, long base, String label, Consumer<CheckpointWriter> records) {
        try (CheckpointWriter w = store.begin(id, base, label)) {
            records.accept(w);
            return w.commit();
        }
    }

    /** A store-independent picture of a state: objects, sorted entries and pages. */
    static List<String> dump(StoredState state) {
        List<String> lines = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        ExpandableArrayBuffer page = new ExpandableArrayBuffer();
        for (StoredState.StoredObject o : state.objects()) {
            lines.add("object " + o.id() + " " + o.kind() + " " + hex.formatHex(o.value()));
            TreeSet<String> entries = new TreeSet<>();
            state.forEachEntry(o.id(), (k, v) -> entries.add(hex.formatHex(k) + "=" + hex.formatHex(v)));
            entries.forEach(e -> lines.add("  entry " + e));
            for (long index : state.pages(o.id())) {
                int n = state.readPage(o.id(), index, page, 0);
                byte[] b = new byte[n];
                page.getBytes(0, b);
                lines.add("  page " + index + " " + hex.formatHex(b));
            }
        }
        return lines;
    }

    @Test
    void aStoredCheckpointSentAndReceivedGivesTheSameState() {
        try (Store sender = Store.memory(); Store receiver = Store.memory()) {
            commit(sender, 4, -1, "first", EVERY_RECORD);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            StoredCheckpoint sent = Images.write(sender.state(4), out);
            StoredCheckpoint received = Images.receive(new ByteArrayInputStream(out.toByteArray()), receiver, ImageLimits.defaults());
            assertEquals(4, received.id());
            assertEquals("first", received.label());
            assertEquals(out.size(), sent.bytes());
            assertEquals(dump(sender.state(4)), dump(receiver.state(4)));
            assertTrue(dump(receiver.state(4)).size() > 5);
        }
    }

    @Test
    void anIncrementalImageAppliesOverItsBase() {
        try (Store sender = Store.memory(); Store receiver = Store.memory()) {
            commit(sender, 1, -1, null, EVERY_RECORD);
            Consumer<CheckpointWriter> changes = w -> {
                w.putObject("alice", (byte) 1, new byte[] {0, 0, 0, 90});
                w.removeObject("owner");
                w.putEntry("notes-ü€😀", new byte[] {1}, new byte[] {4});
                w.putPage("heap", 0, new UnsafeBuffer(new byte[] {7, 7}), 0, 2);
            };
            commit(sender, 2, 1, "after", changes);
            ByteArrayOutputStream full = new ByteArrayOutputStream();
            Images.write(sender.state(1), full);
            byte[] increment = SampleImages.image(2, 1, "after", changes);

            assertThrows(IllegalArgumentException.class,
                    () -> Images.receive(new ByteArrayInputStream(increment), receiver, ImageLimits.defaults()));
            Images.receive(new ByteArrayInputStream(full.toByteArray()), receiver, ImageLimits.defaults());
            Images.receive(new ByteArrayInputStream(increment), receiver, ImageLimits.defaults());
            assertEquals(dump(sender.state(2)), dump(receiver.state(2)));
        }
    }

    @Test
    void aTruncatedImageLeavesTheStoreAsItWas() {
        try (Store sender = Store.memory(); Store receiver = Store.memory()) {
            commit(sender, 1, -1, null, EVERY_RECORD);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Images.write(sender.state(1), out);
            byte[] image = out.toByteArray();
            for (int n = 0; n < image.length; n++) {
                byte[] truncated = Arrays.copyOf(image, n);
                assertThrows(StoreCorruptedException.class,
                        () -> Images.receive(new ByteArrayInputStream(truncated), receiver, ImageLimits.defaults()));
                assertTrue(receiver.lastDurable().isEmpty(), "nothing committed at " + n);
            }
            Images.receive(new ByteArrayInputStream(image), receiver, ImageLimits.defaults());
            assertEquals(dump(sender.state(1)), dump(receiver.state(1)), "the writer was released each time");
        }
    }

    @Test
    void anImageTheStoreRejectsIsCorruptAndNothingIsCommitted() {
        byte[] image = SampleImages.image(1, -1, null, w -> w.putEntry("never-put", new byte[] {1}, new byte[] {2}));
        try (Store receiver = Store.memory()) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class,
                    () -> Images.receive(new ByteArrayInputStream(image), receiver, ImageLimits.defaults()));
            assertTrue(e.getMessage().contains("the receiver rejected the record"), e.getMessage());
            assertTrue(receiver.lastDurable().isEmpty());
        }
    }
}
