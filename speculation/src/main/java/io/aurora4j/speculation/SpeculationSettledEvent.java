package io.aurora4j.speculation;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JFR event {@code io.aurora4j.SpeculationSettled}: a speculation was confirmed or rolled back; the event spans
 * from its begin to its settling (the time its outputs were held). One object per speculation, begun when the
 * speculation begins; when JFR does not record the event, {@code commit()} is a test of a flag.
 */
@Name("io.aurora4j.SpeculationSettled")
@Label("Speculation Settled")
@Category("Aurora4j")
@Description("A speculation was confirmed or rolled back; spans from its begin to its settling")
@StackTrace(false)
final class SpeculationSettledEvent extends jdk.jfr.Event {
    @Label("Group")
    String group;
    @Label("Speculation Id")
    long speculationId;
    @Label("Checkpoint Id")
    @Description("The checkpoint the speculation began at (what a rollback restores)")
    long checkpointId;
    @Label("Outcome")
    @Description("CONFIRMED or ROLLED_BACK")
    String outcome;

    /** Ends and commits the event once, if JFR records it. */
    void settled(String groupName, long id, long checkpoint, String how) {
        end();
        if (shouldCommit()) {
            group = groupName;
            speculationId = id;
            checkpointId = checkpoint;
            outcome = how;
            commit();
        }
    }
}
