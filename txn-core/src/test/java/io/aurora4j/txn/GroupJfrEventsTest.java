package io.aurora4j.txn;

import io.aurora4j.store.Store;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The core's JFR events, recorded with the shipped settings file and read back. */
@Timeout(60)
class GroupJfrEventsTest {
    @TempDir
    Path dir;

    private static Configuration shippedSettings() throws Exception {
        try (InputStream in = Group.class.getResourceAsStream("aurora4j.jfc")) {
            assertNotNull(in, "io/aurora4j/txn/aurora4j.jfc is on the class path");
            return Configuration.create(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
    }

    private static List<RecordedEvent> events(Path file, String name, String group) throws Exception {
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(name))
                .filter(e -> group.equals(e.getString("group")))
                .toList();
    }

    @Test
    void checkpointRollbackFlushAndRecoveryAreRecorded() throws Exception {
        Path file = dir.resolve("rec.jfr");
        Path store = dir.resolve("store");
        long cpId;
        try (Recording r = new Recording(shippedSettings())) {
            r.start();
            try (Group g = Group.builder("jfr").jmx(false).store(Store.directory(store)).checkpointEvery(Duration.ZERO).open()) {
                TLong x = g.newLong("x", 1);
                Checkpoint cp = g.checkpoint("mark");
                cpId = cp.id();
                g.atomic(() -> x.set(2));
                g.barrier().get(10, TimeUnit.SECONDS);
                g.rollback(cp);
            }
            try (Group g = Group.builder("jfr").jmx(false).store(Store.directory(store)).checkpointEvery(Duration.ZERO).open()) {
                assertEquals(1, g.longRef("x").get());
                io.aurora4j.store.RecoveryReport report = g.recovery().orElseThrow();
                assertTrue(report.isClean(), report.toString());
                assertTrue(report.recovered().isPresent());
            }
            try (Group memory = Group.builder("jfr-memory").jmx(false).open()) {
                assertTrue(memory.recovery().isEmpty(), "an in-memory group recovered nothing");
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> checkpoints = events(file, "io.aurora4j.Checkpoint", "jfr");
        assertTrue(checkpoints.stream().anyMatch(e -> e.getLong("checkpointId") == cpId
                && "mark".equals(e.getString("checkpointLabel"))), checkpoints.toString());
        List<RecordedEvent> rollbacks = events(file, "io.aurora4j.Rollback", "jfr");
        assertEquals(1, rollbacks.size(), rollbacks.toString());
        assertEquals(cpId, rollbacks.get(0).getLong("checkpointId"));
        assertEquals(1, rollbacks.get(0).getLong("restoredObjects"));
        List<RecordedEvent> flushes = events(file, "io.aurora4j.Flush", "jfr");
        assertFalse(flushes.isEmpty());
        assertTrue(flushes.get(0).getBoolean("full"));
        assertTrue(flushes.get(0).getLong("bytes") > 0);
        List<RecordedEvent> recoveries = events(file, "io.aurora4j.Recovery", "jfr");
        assertEquals(2, recoveries.size(), "one per open of the durable group: " + recoveries);
        assertEquals(-1, recoveries.get(0).getLong("checkpointId"), "the first open found an empty store");
        assertTrue(recoveries.get(1).getLong("checkpointId") > 0);
        assertEquals(1, recoveries.get(1).getInt("objects"));
        assertTrue(recoveries.get(1).getInt("segmentsScanned") >= 1);
        assertTrue(recoveries.get(1).getLong("bytesScanned") > 0);
        assertEquals(0, recoveries.get(1).getInt("findings"), "a clean close leaves nothing to cut");
        assertTrue(recoveries.get(1).getString("report").contains("clean"), recoveries.get(1).getString("report"));
    }

    @Test
    void aConflictedTransactionIsRecordedAboveItsThresholdOnly() throws Exception {
        Path file = dir.resolve("conflict.jfr");
        try (Recording r = new Recording(shippedSettings())) {
            r.enable("io.aurora4j.TransactionConflict").withThreshold(Duration.ofMillis(20));
            r.start();
            try (Group g = Group.builder("jfr-conflict").jmx(false).open()) {
                TLong x = g.newLong("x", 0);
                conflictOnce(g, x, 50);  // about 50 ms from first conflict to commit: recorded
                conflictOnce(g, x, 0);   // well under 20 ms: not recorded
                g.atomic(() -> x.set(x.get() + 1)); // no conflict: never an event
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> conflicts = events(file, "io.aurora4j.TransactionConflict", "jfr-conflict");
        assertEquals(1, conflicts.size(), conflicts.toString());
        RecordedEvent e = conflicts.get(0);
        assertEquals(2, e.getInt("attempts"));
        assertFalse(e.getBoolean("gaveUp"));
        assertTrue(e.getString("contended").contains("x"), e.getString("contended"));
    }

    /** Runs a transaction that conflicts exactly once, then sleeps {@code pauseMillis} before its second attempt commits. */
    private static void conflictOnce(Group g, TLong x, long pauseMillis) throws Exception {
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        Thread t = Thread.ofPlatform().start(() -> g.atomic(() -> {
            long v = x.get();
            int a = attempts.incrementAndGet();
            if (a == 1) {
                read.countDown();
                awaitQuietly(written);
            } else if (a == 2 && pauseMillis > 0) {
                sleepQuietly(pauseMillis);
            }
            x.set(v + 1);
        }));
        assertTrue(read.await(10, TimeUnit.SECONDS));
        x.set(x.get() + 100);
        written.countDown();
        t.join();
        assertEquals(2, attempts.get());
    }

    private static void awaitQuietly(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
