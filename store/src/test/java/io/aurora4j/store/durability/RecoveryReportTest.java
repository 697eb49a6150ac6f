package io.aurora4j.store.durability;

import io.aurora4j.store.RecoveryReport;
import io.aurora4j.store.RecoveryReport.Finding;
import io.aurora4j.store.RecoveryReport.Kind;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.testing.FaultInjectingIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Store#recovery()} says exactly what an open recovered and what it did (issue #14 item 7: users of
 * Chronicle Map asked for a report of what recovery dropped): on the fault-injecting disk of the power-cut and
 * hostile-operator tests, a clean open, a torn tail cut after a crash, acknowledged checkpoints lost and accepted,
 * an empty newer segment deleted and segments adopted without a high-water mark — each with the file, offset,
 * bytes and checkpoint ids it concerns, and a next open that is clean again.
 */
class RecoveryReportTest {
    private static final Path DIR = Path.of("/disk/store");
    private static final Path MARK = DIR.resolve("HIGHWATER");

    private static Store open(FaultInjectingIO io, boolean acceptLost) {
        return Store.directoryBuilder(DIR).segmentBytes(700).retainCheckpoints(8).io(io)
                .acceptLostCheckpoints(acceptLost).open();
    }

    private static void full(Store store, long id, int valueBytes, String label) {
        try (CheckpointWriter w = store.begin(id, -1, label)) {
            w.putObject("o", (byte) 1, new byte[valueBytes]);
            w.commit();
        }
    }

    private static List<Path> segments(FaultInjectingIO io) {
        return io.image().files().keySet().stream()
                .filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
    }

    private static long segmentBytes(FaultInjectingIO io) {
        return segments(io).stream().mapToLong(p -> io.bytes(p).length).sum();
    }

    /** Checkpoints 1..3 of small values in one segment; returns that segment's size after checkpoint 2. */
    private static long threeInOneSegment(FaultInjectingIO io, Store store) {
        full(store, 1, 20, null);
        full(store, 2, 20, null);
        long afterTwo = io.bytes(segments(io).getLast()).length;
        full(store, 3, 20, "third");
        assertEquals(1, segments(io).size(), "the three checkpoints share one segment");
        return afterTwo;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aCleanOpenReportsTheCheckpointItRecoveredAndWhatItScannedAndFindsNothing() {
        FaultInjectingIO io = new FaultInjectingIO(1);
        try (Store store = open(io, false)) {
            RecoveryReport fresh = store.recovery();
            assertTrue(fresh.isClean(), fresh.toString());
            assertTrue(fresh.recovered().isEmpty(), fresh.toString());
            assertEquals(0, fresh.recordsChecked());
            threeInOneSegment(io, store);
        }
        try (Store store = open(io, false)) {
            RecoveryReport r = store.recovery();
            StoredCheckpoint newest = store.lastDurable().orElseThrow();
            assertTrue(r.isClean(), r.toString());
            assertEquals(List.of(), r.findings());
            assertEquals(store.describe(), r.store());
            assertEquals(newest, r.recovered().orElseThrow());
            assertEquals(3, r.checkpoint().id());
            assertEquals(1, r.segmentsScanned());
            assertEquals(segmentBytes(io), r.bytesScanned());
            assertEquals(9, r.recordsChecked(), "BEGIN, OBJECT and COMMIT of each of three checkpoints");
            assertTrue(r.toString().contains("checkpoint 3 'third'") && r.toString().endsWith("clean"), r.toString());
            assertSame(r, store.recovery(), "fixed at open");
        }
        RecoveryReport memory = Store.memory().recovery();
        assertTrue(memory.isClean());
        assertEquals(0, memory.segmentsScanned());
        assertTrue(memory.recovered().isEmpty());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aTornTailAfterACrashIsReportedWithItsFileOffsetBytesAndTheCheckpointsCutAndKept() {
        FaultInjectingIO io = new FaultInjectingIO(2);
        Store store = open(io, false);
        long afterTwo = threeInOneSegment(io, store);
        io.powerCut(); // checkpoint 3 was acknowledged after the mark was written: its loss cannot be proven
        store.close();
        io.powerOn();
        Path seg = segments(io).getLast();
        long torn = io.bytes(seg).length - 1; // checkpoint 3's COMMIT cut short
        io.operatorTruncate(seg, torn);
        try (Store s = open(io, false)) {
            RecoveryReport r = s.recovery();
            assertFalse(r.isClean(), r.toString());
            assertEquals(2, r.checkpoint().id());
            assertEquals(torn, r.bytesScanned(), "the bytes found, before the cut");
            assertEquals(8, r.recordsChecked(), "six of checkpoints 1 and 2, BEGIN and OBJECT of 3");
            assertEquals(1, r.findings().size(), r.toString());
            Finding f = r.findings().getFirst();
            assertEquals(Kind.TORN_TAIL_CUT, f.kind());
            assertEquals(seg, f.file());
            assertEquals(afterTwo, f.offset(), "cut where checkpoint 3 began");
            assertEquals(torn - afterTwo, f.bytes());
            assertEquals(3, f.checkpointId());
            assertEquals(2, f.keptCheckpointId());
            assertTrue(r.toString().contains(seg.getFileName() + " @" + afterTwo), r.toString());
        }
        assertEquals(afterTwo, io.bytes(seg).length, "the cut was made");
        try (Store s = open(io, false)) {
            assertTrue(s.recovery().isClean(), s.recovery().toString());
            assertEquals(afterTwo, s.recovery().bytesScanned());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anAcceptedLossOfAcknowledgedCheckpointsNamesTheNewestAcknowledgedAndTheNewestKept() {
        FaultInjectingIO io = new FaultInjectingIO(3);
        long afterTwo;
        try (Store store = open(io, false)) {
            afterTwo = threeInOneSegment(io, store);
        } // a clean close: the mark says checkpoint 3 was acknowledged
        Path seg = segments(io).getLast();
        io.operatorTruncate(seg, afterTwo); // checkpoint 3 cut away whole, at a checkpoint boundary
        assertThrows(StoreCorruptedException.class, () -> open(io, false).close());
        try (Store s = open(io, true)) {
            RecoveryReport r = s.recovery();
            assertEquals(2, r.checkpoint().id());
            assertEquals(afterTwo, r.bytesScanned());
            assertEquals(1, r.findings().size(), r.toString());
            Finding f = r.findings().getFirst();
            assertEquals(Kind.LOST_CHECKPOINTS_ACCEPTED, f.kind());
            assertEquals(MARK, f.file());
            assertEquals(-1, f.offset());
            assertEquals(0, f.bytes());
            assertEquals(3, f.checkpointId(), "the newest acknowledged");
            assertEquals(2, f.keptCheckpointId());
            assertEquals(List.of(), r.findings(Kind.TORN_TAIL_CUT));
        }
        try (Store s = open(io, false)) {
            assertTrue(s.recovery().isClean(), "the accepted state is the new normal: " + s.recovery());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMissingNewestSegmentAcceptedIsReportedByNameAndAsTheLostCheckpoints() {
        FaultInjectingIO io = new FaultInjectingIO(4);
        try (Store store = open(io, false)) {
            for (long id = 1; id <= 3; id++) {
                full(store, id, 700, null); // each fills a segment: every begin starts the next one
            }
        }
        List<Path> segs = segments(io);
        assertEquals(3, segs.size());
        io.operatorDelete(segs.getLast());
        try (Store s = open(io, true)) {
            RecoveryReport r = s.recovery();
            assertEquals(2, r.checkpoint().id());
            assertEquals(2, r.segmentsScanned());
            List<Finding> lost = r.findings(Kind.LOST_CHECKPOINTS_ACCEPTED);
            assertEquals(2, lost.size(), r.toString());
            assertEquals(r.findings(), lost);
            assertEquals(segs.getLast(), lost.get(0).file(), "the missing segment is named");
            assertEquals(MARK, lost.get(1).file(), "then the missing checkpoints, per the mark");
            for (Finding f : lost) {
                assertEquals(3, f.checkpointId());
                assertEquals(2, f.keptCheckpointId());
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anEmptyNewerSegmentDeletedIsReportedByName() {
        FaultInjectingIO io = new FaultInjectingIO(5);
        try (Store store = open(io, false)) {
            threeInOneSegment(io, store);
        }
        Path newest = segments(io).getLast();
        long newestId = Long.parseLong(newest.getFileName().toString().substring(8, 24));
        Path above = DIR.resolve(String.format("segment-%016d.log", newestId + 1000));
        io.operatorPut(above, new byte[0]); // what a crash while starting a segment leaves
        try (Store s = open(io, false)) {
            RecoveryReport r = s.recovery();
            assertEquals(3, r.checkpoint().id());
            assertEquals(1, r.segmentsScanned(), "the deleted one is not scanned");
            assertEquals(1, r.findings().size(), r.toString());
            Finding f = r.findings().getFirst();
            assertEquals(Kind.EMPTY_SEGMENT_DELETED, f.kind());
            assertEquals(above, f.file());
            assertEquals(-1, f.offset());
            assertEquals(0, f.bytes());
            assertEquals(-1, f.checkpointId());
            assertEquals(3, f.keptCheckpointId());
        }
        assertNull(io.bytes(above), "deleted");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void segmentsAdoptedWithoutAHighWaterMarkAreReported() {
        FaultInjectingIO io = new FaultInjectingIO(6);
        try (Store store = open(io, false)) {
            threeInOneSegment(io, store);
        }
        Path seg = segments(io).getLast();
        io.operatorDelete(MARK);
        assertThrows(StoreCorruptedException.class, () -> open(io, false).close());
        try (Store s = open(io, true)) {
            RecoveryReport r = s.recovery();
            assertEquals(3, r.checkpoint().id());
            assertEquals(1, r.findings().size(), r.toString());
            Finding f = r.findings().getFirst();
            assertEquals(Kind.SEGMENTS_ADOPTED, f.kind());
            assertEquals(seg, f.file());
            assertEquals(3, f.keptCheckpointId());
        }
        try (Store s = open(io, false)) {
            assertTrue(s.recovery().isClean(), s.recovery().toString());
        }
    }

    @Test
    void aFindingRejectsFiguresOutOfRangeAndTheReportCopiesItsFindings() {
        assertThrows(IllegalArgumentException.class,
                () -> new Finding(Kind.TORN_TAIL_CUT, DIR, 10, -1, 3, 2, "cut"));
        java.util.ArrayList<Finding> list = new java.util.ArrayList<>();
        list.add(new Finding(Kind.EMPTY_SEGMENT_DELETED, DIR, -1, 0, -1, -1, "deleted"));
        RecoveryReport r = new RecoveryReport("directory x", null, 1, 0, 0, list);
        list.clear();
        assertEquals(1, r.findings().size(), "immutable: a copy");
        assertThrows(UnsupportedOperationException.class, () -> r.findings().clear());
    }
}
