package io.aurora4j.boundary;

import io.aurora4j.txn.Group;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** io.aurora4j.BoundaryRelease: the batches a boundary released, their sequences adding up to every output, read back. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoundaryReleaseEventTest {
    @TempDir
    Path dir;

    @Test
    void everyReleasedOutputIsInExactlyOneBatchEvent() throws Exception {
        Path file = dir.resolve("release.jfr");
        try (Recording r = new Recording()) {
            r.enable("io.aurora4j.BoundaryRelease");
            r.start();
            try (Group g = Group.builder("jfr-boundary").jmx(false).open()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Boundary<String> b = Boundary.<String>builder(g, "log").sink(Sink.stream(out, Framer.lines())).open();
                g.atomic(() -> {
                    b.send("one");
                    b.send("two");
                });
                b.send("three");
                b.flush().get(10, TimeUnit.SECONDS);
                assertEquals("one\ntwo\nthree\n", out.toString(StandardCharsets.UTF_8));
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("io.aurora4j.BoundaryRelease"))
                .filter(e -> "jfr-boundary".equals(e.getString("group"))).toList();
        assertTrue(!events.isEmpty());
        long next = 1;
        int total = 0;
        for (RecordedEvent e : events) {
            assertEquals("log", e.getString("boundary"));
            assertEquals(next, e.getLong("firstSequence"), "batches follow each other: " + events);
            assertEquals(e.getLong("lastSequence") - e.getLong("firstSequence") + 1, e.getInt("outputs"));
            next = e.getLong("lastSequence") + 1;
            total += e.getInt("outputs");
        }
        assertEquals(3, total);
    }
}
