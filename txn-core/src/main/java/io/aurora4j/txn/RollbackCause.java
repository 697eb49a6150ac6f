package io.aurora4j.txn;

import io.aurora4j.notify.SpeculationInfo;

import java.util.Objects;

/**
 * Why a group's state went back to a checkpoint: the typed cause a {@link GroupRollback} carries. Sealed, so that a
 * {@code switch} over it needs no {@code default} and the compiler names every place a new kind must be handled:
 *
 * {@snippet :
 * String why = switch (rollback.cause()) {
 *     case RollbackCause.Requested r -> "asked for by " + r.threadName();
 *     case RollbackCause.Failure f -> "failed: " + f.failure();
 *     case RollbackCause.SpeculationFailed s -> "speculation #" + s.speculation().id() + " failed: " + s.failure();
 *     case RollbackCause.RestoredFromStore s -> "recovered from " + s.store() + " at #" + s.checkpointId();
 * };
 * }
 *
 * <p>The untyped {@link io.aurora4j.notify.RollbackEvent#cause()} of the same rollback (rollback-notify knows no
 * txn-core type) is the {@link Throwable} of a {@link Failure} or {@link SpeculationFailed}, the same instance; for a
 * {@link Requested} or {@link RestoredFromStore} it is a stackless {@link Throwable} whose message is the cause's
 * {@link Object#toString()} description, which is never thrown and of no public class: read the typed cause instead.
 *
 * <p>Every kind is an immutable record, thread-safe as far as the {@link Throwable} it carries is.
 */
public sealed interface RollbackCause {

    /**
     * {@link Group#rollback(Checkpoint)}, called without a cause. Carries no stack trace (filling one in costs more
     * than a small rollback): pass your own cause to {@link Group#rollback(Checkpoint, Throwable)} to keep one.
     *
     * @param threadName the name of the thread that asked for the rollback
     */
    record Requested(String threadName) implements RollbackCause {
        /**
         * Checks the part.
         *
         * @throws NullPointerException if {@code threadName} is null
         */
        public Requested {
            Objects.requireNonNull(threadName, "threadName");
        }

        /** {@code rollback requested by thread 'name'}. */
        @Override
        public String toString() {
            return "rollback requested by thread '" + threadName + "'";
        }
    }

    /**
     * {@link Group#rollback(Checkpoint, Throwable)}: the caller's own cause.
     *
     * @param failure the cause the caller passed, the same instance
     */
    record Failure(Throwable failure) implements RollbackCause {
        /**
         * Checks the part.
         *
         * @throws NullPointerException if {@code failure} is null
         */
        public Failure {
            Objects.requireNonNull(failure, "failure");
        }
    }

    /**
     * A speculation failed (a misprediction, an explicit fail, a deadline) and the group went back to the checkpoint
     * taken when it began; the speculation module asks for this rollback.
     *
     * @param speculation the speculation that failed, also in {@link io.aurora4j.notify.RollbackEvent#speculation()}
     * @param failure     why it failed, the same instance the speculation was failed with
     */
    record SpeculationFailed(SpeculationInfo speculation, Throwable failure) implements RollbackCause {
        /**
         * Checks the parts.
         *
         * @throws NullPointerException if a part is null
         */
        public SpeculationFailed {
            Objects.requireNonNull(speculation, "speculation");
            Objects.requireNonNull(failure, "failure");
        }
    }

    /**
     * Not a rollback: a durable group opened and recovered the state of its store's last durable checkpoint. Heard
     * only by listeners registered on the builder ({@link GroupBuilder#onGroupRestore}, {@link GroupBuilder#onRestore}).
     *
     * @param store        the store's {@link io.aurora4j.store.Store#describe() description}
     * @param checkpointId the id of the durable checkpoint restored (also the group's first checkpoint)
     */
    record RestoredFromStore(String store, long checkpointId) implements RollbackCause {
        /**
         * Checks the part.
         *
         * @throws NullPointerException if {@code store} is null
         */
        public RestoredFromStore {
            Objects.requireNonNull(store, "store");
        }

        /** {@code restored from store <store> at durable checkpoint #<id>}. */
        @Override
        public String toString() {
            return "restored from store " + store + " at durable checkpoint #" + checkpointId;
        }
    }
}
