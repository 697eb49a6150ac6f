package io.aurora4j.store.image;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Images;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/** Images for the tests, with the calls a target must see when receiving them. */
final class SampleImages {
    private SampleImages() {
    }

    /** Every kind of record, pages from heap and direct buffers, an empty value, a non-ASCII id. */
    static final Consumer<CheckpointWriter> EVERY_RECORD = w -> {
        w.putObject("alice", (byte) 1, new byte[] {0, 0, 0, 100});
        w.putObject("owner", (byte) 2, "alice".getBytes(StandardCharsets.UTF_8));
        w.putObject("empty", (byte) 3, new byte[0]);
        w.putObject("notes-ü€😀", (byte) 4, new byte[] {9});
        w.putEntry("notes-ü€😀", new byte[] {1}, new byte[] {2, 3});
        w.putEntry("notes-ü€😀", new byte[0], new byte[0]);
        w.removeEntry("notes-ü€😀", new byte[] {7});
        byte[] page = new byte[300];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) i;
        }
        w.putObject("heap", (byte) 5, new byte[] {1, 0});
        w.putPage("heap", 0, new UnsafeBuffer(page), 10, 200);
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        direct.put(0, (byte) 42);
        w.putPage("heap", Long.MAX_VALUE, new UnsafeBuffer(direct), 0, 64);
        w.putPage("heap", 5, new UnsafeBuffer(page), 0, 0);
        w.putObject("gone", (byte) 6, new byte[] {6});
        w.removeObject("gone");
    };

    /** An image written by {@code records} through {@link Images#writer}. */
    static byte[] image(long id, long baseId, String label, Consumer<CheckpointWriter> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CheckpointWriter w = Images.writer(out, id, baseId, label)) {
            records.accept(w);
            w.commit();
        }
        return out.toByteArray();
    }

    /** The calls {@code records} make, as the recording writer lists them. */
    static List<String> calls(Consumer<CheckpointWriter> records) {
        RecordingTarget.Writer w = new RecordingTarget.Writer(1, -1, null, null);
        records.accept(w);
        return w.calls;
    }
}
