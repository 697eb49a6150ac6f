package io.aurora4j.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a store's open recovered and what it did about what it found ({@link Store#recovery()}): the checkpoint it
 * recovered, how much it scanned and checked, and each finding (a torn tail cut, an empty segment deleted, a loss of
 * acknowledged checkpoints accepted, segments adopted without a high-water mark) with the file, offset and
 * checkpoint ids it concerns. An open that refuses (corruption, a stray file, a loss not accepted) throws a
 * {@link StoreCorruptedException} instead and produces no report. For operators, tools ({@code sls describe}),
 * events and tests; the same findings are logged at WARNING to {@code io.aurora4j.store}.
 *
 * <p>Immutable, so safe to share between threads.
 *
 * @param store           the store's {@link Store#describe() description}, e.g. {@code directory /var/lib/app}
 * @param checkpoint      the newest checkpoint recovered, or null if the store held none
 * @param segmentsScanned segment files the open scanned (0 for stores without segments)
 * @param bytesScanned    bytes of those segment files, as found before any cut
 * @param recordsChecked  records whose length, type and CRC32C the open checked and found intact
 * @param findings        what the open found and what it did about each, in the order it found them; empty when clean
 */
public record RecoveryReport(String store, StoredCheckpoint checkpoint, int segmentsScanned, long bytesScanned,
                             long recordsChecked, List<Finding> findings) {

    /** What a finding was and what the open did about it. */
    public enum Kind {
        /**
         * A bad or incomplete end of the newest segment (a crash while a checkpoint was written, or damage that
         * cannot be told from one): cut at {@link Finding#offset()}, {@link Finding#bytes()} bytes dropped, the cut
         * forced. {@link Finding#checkpointId()} is the checkpoint the cut bytes began, or -1 if no intact BEGIN
         * was found.
         */
        TORN_TAIL_CUT,
        /** An empty segment file newer than the newest one the store started (a crash while starting it): deleted. */
        EMPTY_SEGMENT_DELETED,
        /**
         * Checkpoints the high-water mark proves were acknowledged are missing (a cut or deleted end, a missing
         * newest segment), and the builder's {@code acceptLostCheckpoints(true)} accepted the loss.
         * {@link Finding#checkpointId()} is the newest acknowledged checkpoint; {@link Finding#file()} the segment
         * or high-water mark that shows it.
         */
        LOST_CHECKPOINTS_ACCEPTED,
        /**
         * Segments were found without a high-water mark to vouch for them and adopted as they are (never cut),
         * because the builder's {@code acceptLostCheckpoints(true)} allowed it.
         */
        SEGMENTS_ADOPTED
    }

    /**
     * One thing the open found and what it did about it.
     *
     * @param kind             what was found and done
     * @param file             the file concerned, or null if none
     * @param offset           the byte offset in {@code file} it concerns, or -1 if not one place
     * @param bytes            bytes dropped ({@link Kind#TORN_TAIL_CUT}), otherwise 0
     * @param checkpointId     the checkpoint it concerns (see each {@link Kind}), or -1 if none
     * @param keptCheckpointId the newest checkpoint the open kept, or -1 if none
     * @param message          what happened, in words a person can read (the text that was logged)
     */
    public record Finding(Kind kind, Path file, long offset, long bytes, long checkpointId, long keptCheckpointId,
                          String message) {
        /** Checks that kind and message are given and the figures are in range. */
        public Finding {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
            if (offset < -1 || bytes < 0 || checkpointId < -1 || keptCheckpointId < -1) {
                throw new IllegalArgumentException(kind + ": offset " + offset + ", bytes " + bytes + ", checkpoint "
                        + checkpointId + ", kept " + keptCheckpointId);
            }
        }

        /** One line: the kind, file and offset, then the message. */
        @Override
        public String toString() {
            return kind + (file == null ? "" : " " + file.getFileName() + (offset >= 0 ? " @" + offset : ""))
                    + ": " + message;
        }
    }

    /** Checks the store is named, the figures are not negative, and copies the findings. */
    public RecoveryReport {
        Objects.requireNonNull(store, "store");
        if (segmentsScanned < 0 || bytesScanned < 0 || recordsChecked < 0) {
            throw new IllegalArgumentException(store + ": negative figure in " + segmentsScanned + " segments, "
                    + bytesScanned + " bytes, " + recordsChecked + " records");
        }
        findings = List.copyOf(findings);
    }

    /** The report of a store that had nothing to recover and scanned no segments (a new memory store). */
    public static RecoveryReport nothingToRecover(String store) {
        return new RecoveryReport(store, null, 0, 0, 0, List.of());
    }

    /** The newest checkpoint recovered, if the store held one. */
    public Optional<StoredCheckpoint> recovered() {
        return Optional.ofNullable(checkpoint);
    }

    /** Whether the open found nothing to repair, drop or accept: no findings. */
    public boolean isClean() {
        return findings.isEmpty();
    }

    /** The findings of one kind, in the order they were found. */
    public List<Finding> findings(Kind kind) {
        return findings.stream().filter(f -> f.kind() == kind).toList();
    }

    /** A summary line, then one indented line per finding; for logs and people. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(store).append(": recovered ");
        if (checkpoint == null) {
            b.append("no checkpoint");
        } else {
            b.append("checkpoint ").append(checkpoint.id())
                    .append(checkpoint.label() == null ? "" : " '" + checkpoint.label() + "'")
                    .append(" (committed ").append(Instant.ofEpochMilli(checkpoint.committedAtMillis()))
                    .append(", ").append(checkpoint.bytes()).append(" bytes)");
        }
        b.append(" from ").append(segmentsScanned).append(segmentsScanned == 1 ? " segment (" : " segments (")
                .append(bytesScanned).append(" bytes, ").append(recordsChecked).append(" records checked); ")
                .append(isClean() ? "clean" : findings.size() + (findings.size() == 1 ? " finding" : " findings"));
        for (Finding f : findings) {
            b.append("\n  - ").append(f);
        }
        return b.toString();
    }
}
