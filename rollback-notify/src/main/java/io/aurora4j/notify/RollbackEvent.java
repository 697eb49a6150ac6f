package io.aurora4j.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One rollback of a group: which group, the how-manyeth rollback it was, the checkpoint it returned
 * to, why, and what it cost. Published through {@link RollbackNotifier#publish(RollbackEvent)} and
 * handed to every {@link RollbackListener} registered at that moment.
 *
 * <p>Immutable and thread-safe (as far as its {@link CheckpointInfo} and cause are). Built with
 * {@link #builder(String, long, CheckpointInfo, Throwable)}:
 *
 * {@snippet :
 * RollbackEvent event = RollbackEvent.builder("bank", 3, checkpoint, cause)
 *         .duration(Duration.ofNanos(restoreNanos))
 *         .restoredObjects(12)
 *         .discardedCheckpoints(1)
 *         .build();
 * }
 *
 * <p>Events have identity equality: two events are equal only if they are the same object.
 */
public final class RollbackEvent {

    private final String groupName;
    private final long sequence;
    private final CheckpointInfo checkpoint;
    private final Throwable cause;
    private final Instant rolledBackAt;
    private final Duration duration;
    private final long restoredObjects;
    private final int discardedCheckpoints;
    private final long discardedOutputs;
    private final SpeculationInfo speculation;

    private RollbackEvent(Builder b, Instant rolledBackAt) {
        this.groupName = b.groupName;
        this.sequence = b.sequence;
        this.checkpoint = b.checkpoint;
        this.cause = b.cause;
        this.rolledBackAt = rolledBackAt;
        this.duration = b.duration;
        this.restoredObjects = b.restoredObjects;
        this.discardedCheckpoints = b.discardedCheckpoints;
        this.discardedOutputs = b.discardedOutputs;
        this.speculation = b.speculation;
    }

    /**
     * The speculation whose failure (a misprediction, an explicit fail, a deadline) caused this rollback; empty
     * for a rollback a speculation did not ask for.
     *
     * @return the failed speculation, if any
     */
    public Optional<SpeculationInfo> speculation() {
        return Optional.ofNullable(speculation);
    }

    /**
     * Starts an event with its four required parts; the rest default to "now" and zero.
     *
     * @param groupName  the name of the group that rolled back
     * @param sequence   the rollback's number within the group: 1 for the first, then 2, 3, ...
     * @param checkpoint the checkpoint the group returned to
     * @param cause      why it rolled back (an exception thrown by the work, a failed speculation, ...)
     * @return a builder
     * @throws NullPointerException     if {@code groupName}, {@code checkpoint} or {@code cause} is
     *                                  null (the message names which)
     * @throws IllegalArgumentException if {@code sequence} is less than 1
     */
    public static Builder builder(String groupName, long sequence, CheckpointInfo checkpoint, Throwable cause) {
        Objects.requireNonNull(groupName, "groupName");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(cause, "cause");
        if (sequence < 1) {
            throw new IllegalArgumentException(
                    "sequence must be >= 1 but was " + sequence + " (group '" + groupName + "')");
        }
        return new Builder(groupName, sequence, checkpoint, cause);
    }

    /**
     * The name of the group that rolled back.
     *
     * @return the group name
     */
    public String groupName() {
        return groupName;
    }

    /**
     * The rollback's number within its group, in rollback order: 1, 2, 3, ... A
     * {@link RollbackNotifier} accepts only increasing sequences, and each listener sees them in
     * increasing order.
     *
     * @return the sequence, at least 1
     */
    public long sequence() {
        return sequence;
    }

    /**
     * The checkpoint the group's state was restored to.
     *
     * @return the checkpoint
     */
    public CheckpointInfo checkpoint() {
        return checkpoint;
    }

    /**
     * Why the group rolled back, as the publisher gave it. This module knows no transaction type, so the cause is a
     * {@link Throwable}: txn-core publishes the failure a rollback was given (the same instance), and for a rollback
     * that had none (one asked for without a cause, a durable group's restore) a stackless, never-thrown
     * {@code Throwable} whose message says what happened; its own listeners get a typed, sealed cause instead
     * (txn-core's {@code GroupRollback.cause()}).
     *
     * @return the cause, never null
     */
    public Throwable cause() {
        return cause;
    }

    /**
     * When the rollback finished: {@link Builder#rolledBackAt(Instant)}, or the time
     * {@link Builder#build()} was called.
     *
     * @return the instant
     */
    public Instant rolledBackAt() {
        return rolledBackAt;
    }

    /**
     * How long restoring the state took.
     *
     * @return the duration, never negative; {@link Duration#ZERO} if not given
     */
    public Duration duration() {
        return duration;
    }

    /**
     * How many state objects the rollback restored.
     *
     * @return the count, 0 if not given
     */
    public long restoredObjects() {
        return restoredObjects;
    }

    /**
     * How many checkpoints later than {@link #checkpoint()} the rollback discarded.
     *
     * @return the count, 0 if not given
     */
    public int discardedCheckpoints() {
        return discardedCheckpoints;
    }

    /**
     * How many held outputs (boundary sends of the rolled-back work) were dropped.
     *
     * @return the count, 0 if not given
     */
    public long discardedOutputs() {
        return discardedOutputs;
    }

    /**
     * One line for logs, for example {@code RollbackEvent[group=bank, sequence=3,
     * checkpoint=7 'before-batch', cause=java.lang.IllegalStateException: boom, restoredObjects=12,
     * discardedCheckpoints=1, discardedOutputs=0, duration=PT0.0015S, at=2025-01-01T10:00:00Z]}.
     * Line breaks in the cause's message or the label are shown as {@code \n}.
     *
     * @return the description
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(160)
                .append("RollbackEvent[group=").append(oneLine(groupName))
                .append(", sequence=").append(sequence)
                .append(", checkpoint=").append(checkpoint.id());
        Optional<String> label = checkpoint.label();
        if (label != null && label.isPresent()) {
            sb.append(" '").append(oneLine(label.get())).append('\'');
        }
        sb.append(", cause=").append(oneLine(String.valueOf(cause)));
        if (speculation != null) {
            sb.append(", speculation=").append(speculation.id());
        }
        return sb.append(", restoredObjects=").append(restoredObjects)
                .append(", discardedCheckpoints=").append(discardedCheckpoints)
                .append(", discardedOutputs=").append(discardedOutputs)
                .append(", duration=").append(duration)
                .append(", at=").append(rolledBackAt)
                .append(']').toString();
    }

    private static String oneLine(String s) {
        return s.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n");
    }

    /**
     * Builds a {@link RollbackEvent}. Not thread-safe; each {@link #build()} makes a new event.
     * Setters only record values; {@link #build()} checks them.
     */
    public static final class Builder {
        private final String groupName;
        private final long sequence;
        private final CheckpointInfo checkpoint;
        private final Throwable cause;
        private Instant rolledBackAt; // null: Instant.now() at build()
        private Duration duration = Duration.ZERO;
        private long restoredObjects;
        private int discardedCheckpoints;
        private long discardedOutputs;
        private SpeculationInfo speculation;

        private Builder(String groupName, long sequence, CheckpointInfo checkpoint, Throwable cause) {
            this.groupName = groupName;
            this.sequence = sequence;
            this.checkpoint = checkpoint;
            this.cause = cause;
        }

        /**
         * Sets when the rollback finished (default: the time of {@link #build()}); pass your own
         * clock's reading to make events reproducible.
         *
         * @param t the instant
         * @return this builder
         * @throws NullPointerException if {@code t} is null
         */
        public Builder rolledBackAt(Instant t) {
            this.rolledBackAt = Objects.requireNonNull(t, "rolledBackAt");
            return this;
        }

        /**
         * Sets how long restoring the state took (default {@link Duration#ZERO}).
         *
         * @param d the duration, not negative (checked by {@link #build()})
         * @return this builder
         * @throws NullPointerException if {@code d} is null
         */
        public Builder duration(Duration d) {
            this.duration = Objects.requireNonNull(d, "duration");
            return this;
        }

        /**
         * Sets how many state objects were restored (default 0).
         *
         * @param n the count, not negative (checked by {@link #build()})
         * @return this builder
         */
        public Builder restoredObjects(long n) {
            this.restoredObjects = n;
            return this;
        }

        /**
         * Sets how many later checkpoints were discarded (default 0).
         *
         * @param n the count, not negative (checked by {@link #build()})
         * @return this builder
         */
        public Builder discardedCheckpoints(int n) {
            this.discardedCheckpoints = n;
            return this;
        }

        /**
         * Sets how many held outputs were dropped (default 0).
         *
         * @param n the count, not negative (checked by {@link #build()})
         * @return this builder
         */
        public Builder discardedOutputs(long n) {
            this.discardedOutputs = n;
            return this;
        }

        /**
         * Sets the speculation whose failure caused the rollback (default: none).
         *
         * @param s the speculation
         * @return this builder
         * @throws NullPointerException     if {@code s} is null
         */
        public Builder speculation(SpeculationInfo s) {
            this.speculation = Objects.requireNonNull(s, "speculation");
            return this;
        }

        /**
         * Makes the event.
         *
         * @return a new immutable event
         * @throws IllegalArgumentException if a count or the duration is negative; the message
         *                                  names the field, its value, and the group and sequence
         */
        public RollbackEvent build() {
            requireNotNegative("restoredObjects", restoredObjects);
            requireNotNegative("discardedCheckpoints", discardedCheckpoints);
            requireNotNegative("discardedOutputs", discardedOutputs);
            if (duration.isNegative()) {
                throw new IllegalArgumentException("duration must not be negative but was " + duration + where());
            }
            return new RollbackEvent(this, rolledBackAt != null ? rolledBackAt : Instant.now());
        }

        private void requireNotNegative(String field, long value) {
            if (value < 0) {
                throw new IllegalArgumentException(field + " must be >= 0 but was " + value + where());
            }
        }

        private String where() {
            return " (group '" + groupName + "', rollback " + sequence + ")";
        }
    }
}
