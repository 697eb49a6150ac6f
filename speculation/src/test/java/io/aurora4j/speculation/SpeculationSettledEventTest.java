package io.aurora4j.speculation;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** io.aurora4j.SpeculationSettled: one event per speculation, with its outcome, recorded and read back. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpeculationSettledEventTest {
    @TempDir
    Path dir;

    @Test
    void aConfirmedAndARolledBackSpeculationAreRecordedWithTheirOutcome() throws Exception {
        Path file = dir.resolve("spec.jfr");
        long confirmedId;
        long failedId;
        long failedCheckpoint;
        try (Recording r = new Recording()) {
            r.enable("io.aurora4j.SpeculationSettled");
            r.start();
            try (Group g = Group.builder("jfr-spec").jmx(false).open()) {
                TLong x = g.newLong("x", 1);
                Speculation ok = Speculation.begin(g);
                ok.atomic(() -> x.set(2));
                ok.confirm();
                ok.outcome().get(10, TimeUnit.SECONDS);
                confirmedId = ok.id();
                Speculation bad = Speculation.begin(g);
                bad.atomic(() -> x.set(3));
                bad.fail(new IllegalStateException("mispredicted"));
                bad.outcome().get(10, TimeUnit.SECONDS);
                failedId = bad.id();
                failedCheckpoint = bad.checkpoint().id();
                assertEquals(2, x.get());
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("io.aurora4j.SpeculationSettled"))
                .filter(e -> "jfr-spec".equals(e.getString("group"))).toList();
        assertEquals(2, events.size(), events.toString());
        RecordedEvent confirmed = events.stream().filter(e -> e.getLong("speculationId") == confirmedId).findFirst().orElseThrow();
        assertEquals("CONFIRMED", confirmed.getString("outcome"));
        RecordedEvent rolledBack = events.stream().filter(e -> e.getLong("speculationId") == failedId).findFirst().orElseThrow();
        assertEquals("ROLLED_BACK", rolledBack.getString("outcome"));
        assertEquals(failedCheckpoint, rolledBack.getLong("checkpointId"));
        assertTrue(!rolledBack.getDuration().isNegative());
    }
}
