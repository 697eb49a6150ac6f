package io.aurora4j.txn;

import io.aurora4j.notify.RollbackEvent;

/**
 * One job: how a typed {@link RollbackCause} rides in the untyped {@link RollbackEvent#cause()} slot of rollback-notify
 * (which cannot know txn-core's types, and whose listeners read a {@link Throwable}), and how it is read back for a
 * {@link GroupRollback}. A failure's own {@link Throwable} goes into the slot unchanged (listeners of the untyped event
 * keep the very instance they were given); a cause without one goes in as a {@link Described}, a stackless description
 * that only this class makes, stamped with the group and the sequence of the one event it was made for: one a listener
 * passes back to {@link Group#rollback(Checkpoint, Throwable)} is read back as that call's {@link RollbackCause.Failure}.
 *
 * <p>Stateless; thread-safe.
 */
final class EventCauses {
    private EventCauses() {
    }

    /** What {@link RollbackEvent#cause()} carries for {@code cause} in event {@code sequence} of {@code group}. */
    static Throwable toEvent(Group group, long sequence, RollbackCause cause) {
        return switch (cause) {
            case RollbackCause.Failure f -> f.failure();
            case RollbackCause.SpeculationFailed s -> s.failure();
            case RollbackCause.Requested r -> new Described(r, group, sequence);
            case RollbackCause.RestoredFromStore r -> new Described(r, group, sequence);
        };
    }

    /** The typed cause of an event {@code group} published ({@link #toEvent}). */
    static RollbackCause fromEvent(Group group, RollbackEvent event) {
        Throwable t = event.cause();
        if (t instanceof Described d && d.group == group && d.sequence == event.sequence()) {
            return d.cause;
        }
        return event.speculation().<RollbackCause>map(s -> new RollbackCause.SpeculationFailed(s, t))
                .orElseGet(() -> new RollbackCause.Failure(t));
    }

    /** A cause without a Throwable of its own, as rollback-notify's slot needs one. Never thrown; no stack trace. */
    static final class Described extends Throwable {
        private static final long serialVersionUID = 1L;
        private final transient RollbackCause cause;
        private final transient Group group;
        private final long sequence;

        Described(RollbackCause cause, Group group, long sequence) {
            super(cause.toString(), null, false, false);
            this.cause = cause;
            this.group = group;
            this.sequence = sequence;
        }

        /** The message alone, as the public Throwables this replaced printed their class: the cause says what it is. */
        @Override
        public String toString() {
            return getMessage();
        }
    }
}
