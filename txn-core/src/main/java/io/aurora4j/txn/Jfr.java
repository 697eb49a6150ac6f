package io.aurora4j.txn;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * The JDK Flight Recorder events the core emits (issue #14), one nested class each, all in category
 * {@code Aurora4j}: {@code io.aurora4j.Checkpoint}, {@code io.aurora4j.Rollback}, {@code io.aurora4j.Flush},
 * {@code io.aurora4j.Recovery} and {@code io.aurora4j.TransactionConflict}. The boundary and speculation modules
 * define {@code io.aurora4j.BoundaryRelease} and {@code io.aurora4j.SpeculationSettled} beside their code.
 *
 * <p>Every emitter follows JFR's own pattern: allocate, {@code begin()}, work, {@code commit()}; when the event
 * is disabled the JIT removes the object (it never escapes) and {@code commit()} is a test of a static flag, so
 * the cost is nothing measurable. The transaction path creates an event only once an attempt has conflicted,
 * never on a commit that did not. The settings file {@code io/aurora4j/txn/aurora4j.jfc} (in the txn-core jar)
 * turns them all on with the thresholds a production recording wants.
 */
final class Jfr {
    private Jfr() {
    }

    static final String CATEGORY = "Aurora4j";

    /** A checkpoint was taken: its duration is the time {@code checkpoint()} held the group's admin lock and more. */
    @Name("io.aurora4j.Checkpoint")
    @Label("Checkpoint")
    @Category(CATEGORY)
    @Description("A checkpoint of a group was taken")
    @StackTrace(false)
    static final class CheckpointEvent extends Event {
        @Label("Group")
        String group;
        @Label("Checkpoint Id")
        long checkpointId;
        @Label("Label")
        String checkpointLabel;
    }

    /** A rollback restored a group to a checkpoint. */
    @Name("io.aurora4j.Rollback")
    @Label("Rollback")
    @Category(CATEGORY)
    @Description("A group was rolled back to a retained checkpoint")
    static final class RollbackEvent extends Event {
        @Label("Group")
        String group;
        @Label("Checkpoint Id")
        @Description("The checkpoint restored")
        long checkpointId;
        @Label("Rollback Sequence")
        long sequence;
        @Label("Restored Objects")
        long restoredObjects;
        @Label("Discarded Checkpoints")
        int discardedCheckpoints;
        @Label("Cause")
        String cause;
    }

    /** A checkpoint was written to the group's durable store. */
    @Name("io.aurora4j.Flush")
    @Label("Flush")
    @Category(CATEGORY)
    @Description("A checkpoint was written to the durable store and committed there")
    @StackTrace(false)
    static final class FlushEvent extends Event {
        @Label("Group")
        String group;
        @Label("Checkpoint Id")
        long checkpointId;
        @Label("Base Checkpoint Id")
        @Description("The stored checkpoint it is an increment of, or -1 for a full write")
        long baseId;
        @Label("Full")
        boolean full;
        @Label("Bytes")
        @DataAmount
        long bytes;
    }

    /** A durable group was opened from its store. */
    @Name("io.aurora4j.Recovery")
    @Label("Recovery")
    @Category(CATEGORY)
    @Description("A group was restored from its durable store")
    @StackTrace(false)
    static final class RecoveryEvent extends Event {
        @Label("Group")
        String group;
        @Label("Checkpoint Id")
        @Description("The checkpoint recovered, or -1 when the store held none")
        long checkpointId;
        @Label("Objects")
        int objects;
        @Label("Stored Checkpoints")
        int storedCheckpoints;
        @Label("Segments Scanned")
        int segmentsScanned;
        @Label("Bytes Scanned")
        @DataAmount
        long bytesScanned;
        @Label("Records Checked")
        long recordsChecked;
        @Label("Findings")
        @Description("What recovery cut, deleted or accepted (torn tails, empty segments, lost checkpoints); 0 when clean")
        int findings;
        @Label("Report")
        @Description("The recovery report as text: Group.recovery() / Store.recovery()")
        String report;
    }

    /**
     * A transaction conflicted at least once; the event spans from its first conflict to its commit or its giving
     * up. Below the threshold (default 1 ms) nothing is recorded.
     */
    @Name("io.aurora4j.TransactionConflict")
    @Label("Transaction Conflict")
    @Category(CATEGORY)
    @Description("A transaction was aborted by conflicts and re-run; spans from its first conflict to its end")
    @Threshold("1 ms")
    static final class TransactionConflictEvent extends Event {
        @Label("Group")
        String group;
        @Label("Attempts")
        int attempts;
        @Label("Gave Up")
        boolean gaveUp;
        @Label("Contended")
        @Description("Ids of the objects whose conflicts aborted it, as far as known")
        String contended;
    }
}
