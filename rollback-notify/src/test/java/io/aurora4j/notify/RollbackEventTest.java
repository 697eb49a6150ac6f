package io.aurora4j.notify;

import static io.aurora4j.notify.Fixtures.CHECKPOINT;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RollbackEvent is an immutable value whose builder fails fast with messages naming the field. */
class RollbackEventTest {
    private static final Throwable CAUSE = new IllegalStateException("boom");

    @Test
    void requiredPartsAreCheckedAndNamed() {
        assertEquals("groupName", assertThrows(NullPointerException.class,
                () -> RollbackEvent.builder(null, 1, CHECKPOINT, CAUSE)).getMessage());
        assertEquals("checkpoint", assertThrows(NullPointerException.class,
                () -> RollbackEvent.builder("bank", 1, null, CAUSE)).getMessage());
        assertEquals("cause", assertThrows(NullPointerException.class,
                () -> RollbackEvent.builder("bank", 1, CHECKPOINT, null)).getMessage());
        for (long bad : new long[] {0, -1, Long.MIN_VALUE}) {
            String message = assertThrows(IllegalArgumentException.class,
                    () -> RollbackEvent.builder("bank", bad, CHECKPOINT, CAUSE)).getMessage();
            assertTrue(message.contains("sequence") && message.contains(Long.toString(bad))
                    && message.contains("bank"), message);
        }
    }

    @Test
    void defaultsAreNowAndZero() {
        Instant before = Instant.now();
        RollbackEvent e = RollbackEvent.builder("bank", 1, CHECKPOINT, CAUSE).build();
        Instant after = Instant.now();
        assertAll(
                () -> assertEquals("bank", e.groupName()),
                () -> assertEquals(1, e.sequence()),
                () -> assertSame(CHECKPOINT, e.checkpoint()),
                () -> assertSame(CAUSE, e.cause()),
                () -> assertFalse(e.rolledBackAt().isBefore(before), "rolledBackAt before build()"),
                () -> assertFalse(e.rolledBackAt().isAfter(after), "rolledBackAt after build()"),
                () -> assertEquals(Duration.ZERO, e.duration()),
                () -> assertEquals(0, e.restoredObjects()),
                () -> assertEquals(0, e.discardedCheckpoints()),
                () -> assertEquals(0, e.discardedOutputs()));
    }

    @Test
    void builderCarriesEveryValue() {
        Instant at = Instant.parse("2025-01-01T10:00:00Z");
        RollbackEvent e = RollbackEvent.builder("bank", 3, CHECKPOINT, CAUSE)
                .rolledBackAt(at).duration(Duration.ofMillis(2)).restoredObjects(12)
                .discardedCheckpoints(1).discardedOutputs(5).build();
        assertAll(
                () -> assertEquals(3, e.sequence()),
                () -> assertEquals(at, e.rolledBackAt()),
                () -> assertEquals(Duration.ofMillis(2), e.duration()),
                () -> assertEquals(12, e.restoredObjects()),
                () -> assertEquals(1, e.discardedCheckpoints()),
                () -> assertEquals(5, e.discardedOutputs()));
    }

    @Test
    void eachBuildMakesAnIndependentEvent() {
        RollbackEvent.Builder b = RollbackEvent.builder("bank", 1, CHECKPOINT, CAUSE).restoredObjects(1);
        RollbackEvent first = b.build();
        RollbackEvent second = b.restoredObjects(2).build();
        assertEquals(1, first.restoredObjects(), "a later setter changed an event already built");
        assertEquals(2, second.restoredObjects());
    }

    @Test
    void negativeCountsAndDurationAreRejectedNamingTheField() {
        assertNamesField("restoredObjects", RollbackEvent.builder("bank", 2, CHECKPOINT, CAUSE).restoredObjects(-1));
        assertNamesField("discardedCheckpoints",
                RollbackEvent.builder("bank", 2, CHECKPOINT, CAUSE).discardedCheckpoints(-1));
        assertNamesField("discardedOutputs", RollbackEvent.builder("bank", 2, CHECKPOINT, CAUSE).discardedOutputs(-1));
        assertNamesField("duration",
                RollbackEvent.builder("bank", 2, CHECKPOINT, CAUSE).duration(Duration.ofNanos(-1)));
    }

    private static void assertNamesField(String field, RollbackEvent.Builder builder) {
        String message = assertThrows(IllegalArgumentException.class, builder::build).getMessage();
        assertTrue(message.startsWith(field + " must"), message);
        assertTrue(message.contains("bank") && message.contains("2"), message);
    }

    @Test
    void nullOptionalValuesAreRejected() {
        RollbackEvent.Builder b = RollbackEvent.builder("bank", 1, CHECKPOINT, CAUSE);
        assertEquals("rolledBackAt", assertThrows(NullPointerException.class, () -> b.rolledBackAt(null)).getMessage());
        assertEquals("duration", assertThrows(NullPointerException.class, () -> b.duration(null)).getMessage());
    }

    @Test
    void toStringIsOneReadableLineWithEverything() {
        RollbackEvent e = RollbackEvent.builder("bank", 3, CHECKPOINT, new IllegalStateException("line one\nline two"))
                .rolledBackAt(Instant.parse("2025-01-01T10:00:00Z")).duration(Duration.ofMillis(2))
                .restoredObjects(12).discardedCheckpoints(1).discardedOutputs(4).build();
        String s = e.toString();
        assertFalse(s.contains("\n") || s.contains("\r"), s);
        for (String part : new String[] {"group=bank", "sequence=3", "checkpoint=7 'before-batch'",
                "java.lang.IllegalStateException: line one\\nline two", "restoredObjects=12",
                "discardedCheckpoints=1", "discardedOutputs=4", "duration=PT0.002S", "2025-01-01T10:00:00Z"}) {
            assertTrue(s.contains(part), () -> "missing " + part + " in " + s);
        }
    }

    @Test
    void toStringOfUnlabelledCheckpointHasNoLabel() {
        RollbackEvent e = RollbackEvent.builder("bank", 1, new Fixtures.Cp(9, Optional.empty(), "bank"), CAUSE).build();
        assertTrue(e.toString().contains("checkpoint=9, cause="), e.toString());
    }
}
