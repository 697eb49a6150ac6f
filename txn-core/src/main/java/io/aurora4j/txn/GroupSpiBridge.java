package io.aurora4j.txn;

import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.txn.spi.CommitSink;
import io.aurora4j.txn.spi.RollbackParticipant;
import io.aurora4j.txn.spi.TxnSpi;

import java.util.Objects;

/**
 * One job: the bridge through which Aurora4j's other modules (boundaries, speculation) reach a group's internals:
 * {@link TxnSpi.Access}, installed when {@link Group} is initialized, delegating to the group's parts.
 *
 * <p>Thread-safe: stateless; every method is as thread-safe as the part it calls.
 */
final class GroupSpiBridge {
    private GroupSpiBridge() {
    }

    /** Called once, from {@link Group}'s static initializer. */
    static void install() {
    TxnSpi.install(new TxnSpi.Access() {
        @Override
        public <T> void stage(Group group, CommitSink<T> sink, T item) {
            Objects.requireNonNull(sink, "sink");
            group.runner.running("stage").hooks().stage(sink, item);
        }

        @Override
        public <T> T extension(Group group, io.aurora4j.txn.spi.ExtensionKey<T> key,
                               java.util.function.Function<? super Group, ? extends T> create) {
            return group.extensions.get(group, key, create);
        }

        @Override
        public <T> T existingExtension(Group group, io.aurora4j.txn.spi.ExtensionKey<T> key) {
            return group.extensions.peek(key);
        }

        @Override
        public boolean inTransaction(Group group) {
            return group.inTransaction();
        }

        @Override
        public long currentEpoch(Group group) {
            return group.currentEpoch().number;
        }

        @Override
        public long epochOf(Checkpoint checkpoint) {
            return checkpoint.closedEpoch.number;
        }

        @Override
        public RollbackEvent rollback(Group group, Checkpoint checkpoint, Throwable cause,
                                      io.aurora4j.notify.SpeculationInfo speculation) {
            return group.rollbacks.rollback(checkpoint, new RollbackCause.SpeculationFailed(speculation, cause));
        }

        @Override
        public long durableEpoch(Group group) {
            return group.durability.durableEpoch();
        }

        @Override
        public Runnable onDurable(Group group, Runnable listener) {
            Objects.requireNonNull(listener, "listener");
            return group.durability.onDurable(listener);
        }

        @Override
        public boolean durabilityFailed(Group group) {
            return group.durability.failed();
        }

        @Override
        public Checkpoint pinnedCheckpoint(Group group) {
            return group.timeline.take(null, false, true);
        }

        @Override
        public void unpin(Checkpoint checkpoint) {
            checkpoint.group().timeline.unpin(checkpoint);
        }

        @Override
        public void runGuarded(io.aurora4j.txn.spi.AccessGuard guard, Runnable task) {
            Txn t = Txn.current();
            io.aurora4j.txn.spi.AccessGuard outer = t.guard;
            t.guard = guard;
            try {
                task.run();
            } finally {
                t.guard = outer;
            }
        }

        @Override
        public Runnable addRollbackParticipant(Group group, RollbackParticipant participant) {
            Objects.requireNonNull(participant, "participant");
            group.checkOpen();
            group.rollbacks.participants.add(participant);
            return () -> group.rollbacks.participants.remove(participant);
        }
    });
    }
}
