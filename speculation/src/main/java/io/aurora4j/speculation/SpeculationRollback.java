package io.aurora4j.speculation;

import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.txn.Checkpoint;

import java.util.Objects;

/**
 * What a speculation's {@link Speculation#onRollback rollback handler} receives: the speculation, why it
 * failed, and the group's {@link RollbackEvent} — the one {@code rollback-notify} delivered to the group's
 * listeners before any handler ran (its {@code discardedOutputs()} counts the held outputs the rollback
 * dropped, its {@code checkpoint()} is where state went back to).
 *
 * <p>When one rollback fails several speculations of a chain (a failure fails every later one), each gets
 * its own {@code SpeculationRollback} carrying the <em>same</em> event: one rollback, one event. For the
 * later ones, {@link #cause()} is a {@link SpeculationRolledBackException} naming the speculation that
 * failed, with its cause as the exception's cause.
 *
 * <p>Immutable.
 *
 * @param speculation the speculation rolled back
 * @param cause       why: the cause given to {@link Speculation#fail}, a misprediction, a deadline, or an
 *                    earlier speculation's failure
 * @param event       the group's rollback event (the same object {@link io.aurora4j.txn.Group#rollback}
 *                    returned and its listeners received)
 */
public record SpeculationRollback(Speculation speculation, Throwable cause, RollbackEvent event) {
    /** Checks that no component is null. */
    public SpeculationRollback {
        Objects.requireNonNull(speculation, "speculation");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(event, "event");
    }

    /** The speculation's checkpoint (the state it began from). */
    public Checkpoint checkpoint() {
        return speculation.checkpoint();
    }

    /** How many held outputs the rollback discarded, over all boundaries of the group. */
    public long discardedOutputs() {
        return event.discardedOutputs();
    }
}
