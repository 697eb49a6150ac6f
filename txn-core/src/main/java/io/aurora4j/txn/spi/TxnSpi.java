package io.aurora4j.txn.spi;

import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;

import java.util.Objects;
import java.util.function.Function;

/**
 * The hooks other Aurora4j modules (boundaries, speculation) need from the core. This package is exported
 * only to those modules; applications use the public API of {@code io.aurora4j.txn}.
 */
public final class TxnSpi {
    private static volatile Access access;

    private TxnSpi() {
    }

    /** The bridge into the core's package-private state; installed once by the core itself. */
    public interface Access {
        <T> void stage(Group group, CommitSink<T> sink, T item);

        <T> T extension(Group group, ExtensionKey<T> key, Function<? super Group, ? extends T> create);

        <T> T existingExtension(Group group, ExtensionKey<T> key);

        boolean inTransaction(Group group);

        long currentEpoch(Group group);

        long epochOf(Checkpoint checkpoint);

        Runnable addRollbackParticipant(Group group, RollbackParticipant participant);

        Checkpoint pinnedCheckpoint(Group group);

        void unpin(Checkpoint checkpoint);

        void runGuarded(AccessGuard guard, Runnable task);

        io.aurora4j.notify.RollbackEvent rollback(Group group, Checkpoint checkpoint, Throwable cause,
                                                  io.aurora4j.notify.SpeculationInfo speculation);

        long durableEpoch(Group group);

        Runnable onDurable(Group group, Runnable listener);

        boolean durabilityFailed(Group group);
    }

    /** Installs the bridge; called once by {@code io.aurora4j.txn}. */
    public static void install(Access a) {
        if (access != null) {
            throw new IllegalStateException("TxnSpi access is already installed");
        }
        access = Objects.requireNonNull(a);
    }

    private static Access access() {
        Access a = access;
        if (a == null) {
            Group.class.getName(); // loading Group installs the bridge
            a = access;
        }
        return a;
    }

    /**
     * Stages {@code item} for {@code sink} in the transaction of {@code group} running on this thread: the
     * sink receives it at commit; it is dropped if the attempt (or the nested transaction that staged it)
     * rolls back.
     *
     * @throws IllegalStateException if no transaction of the group runs on this thread
     */
    public static <T> void stage(Group group, CommitSink<T> sink, T item) {
        access().stage(group, sink, item);
    }

    /**
     * The group's extension for {@code key}: created by {@code create} on the first call for this group and key,
     * exactly once even when threads race (they all get the one instance), and kept by the group for its
     * lifetime. This is how a module keeps per-group state (the boundaries' coordinator, the speculation chain)
     * without a global registry. {@code create} runs on the calling thread, under a lock of that key only (not
     * the group's): it may register rollback participants and create other extensions of the group; if it
     * throws, nothing is kept and the exception propagates. Thread-safe; finding an existing extension takes
     * no lock.
     *
     * @throws IllegalStateException if called for the same key from inside its {@code create}
     * @throws NullPointerException  if {@code create} returns null
     */
    public static <T> T extension(Group group, ExtensionKey<T> key, Function<? super Group, ? extends T> create) {
        return access().extension(Objects.requireNonNull(group, "group"), Objects.requireNonNull(key, "key"),
                Objects.requireNonNull(create, "create"));
    }

    /** The group's extension for {@code key} if one was created, else null. Thread-safe, lock-free. */
    public static <T> T existingExtension(Group group, ExtensionKey<T> key) {
        return access().existingExtension(Objects.requireNonNull(group, "group"), Objects.requireNonNull(key, "key"));
    }

    /** Whether a transaction of {@code group} runs on this thread. */
    public static boolean inTransaction(Group group) {
        return access().inTransaction(group);
    }

    /** The group's current epoch number: grows with every checkpoint and rollback, never reused. */
    public static long currentEpoch(Group group) {
        return access().currentEpoch(group);
    }

    /** The epoch a checkpoint closed: state at the checkpoint is the state at that epoch's end. */
    public static long epochOf(Checkpoint checkpoint) {
        return access().epochOf(checkpoint);
    }

    /**
     * Takes a checkpoint of {@code group} that is pinned from the moment it exists: it never leaves retention,
     * and the epochs after it are kept, so that {@link #rollback} to it stays possible however many checkpoints
     * follow, until {@link #unpin} (a rollback to an older checkpoint still discards it). Memory held for the
     * pre-images taken after it grows until then.
     *
     * @throws IllegalStateException if the group is closed
     */
    public static Checkpoint pinnedCheckpoint(Group group) {
        return access().pinnedCheckpoint(group);
    }

    /**
     * Drops one pin of {@code checkpoint}; if it was the last, the checkpoint and what it held may leave retention.
     *
     * @throws IllegalStateException if it holds no pin
     */
    public static void unpin(Checkpoint checkpoint) {
        access().unpin(checkpoint);
    }

    /**
     * Runs {@code task} on the calling thread with {@code guard} bound to it: every access of the thread to
     * group state while the task runs is checked first (see {@link AccessGuard}). The guard bound before is
     * restored afterwards, so bindings nest.
     */
    public static void runGuarded(AccessGuard guard, Runnable task) {
        access().runGuarded(Objects.requireNonNull(guard, "guard"), Objects.requireNonNull(task, "task"));
    }

    /** Adds a rollback participant; the returned action removes it. */
    public static Runnable addRollbackParticipant(Group group, RollbackParticipant participant) {
        return access().addRollbackParticipant(group, participant);
    }

    /**
     * The closed epoch of the group's newest durable checkpoint: every commit of an epoch at or below it is on
     * stable storage. {@link Long#MAX_VALUE} for a group without a durable store (memory is its durability);
     * {@code -1} once its store failed (nothing more will ever be durable).
     */
    public static long durableEpoch(Group group) {
        return access().durableEpoch(group);
    }

    /**
     * Calls {@code listener} (on the flusher thread; keep it short) after each checkpoint becomes durable and
     * once when the store fails; the returned action removes it. A no-op for a group without a durable store.
     */
    public static Runnable onDurable(Group group, Runnable listener) {
        return access().onDurable(group, listener);
    }

    /** Whether the group's durable store failed: nothing produced from then on may be released. */
    public static boolean durabilityFailed(Group group) {
        return access().durabilityFailed(group);
    }

    /**
     * {@link Group#rollback(Checkpoint, Throwable)} on behalf of a failed speculation: the event the listeners get
     * names it ({@link io.aurora4j.notify.RollbackEvent#speculation()}), and its typed cause is a
     * {@link io.aurora4j.txn.RollbackCause.SpeculationFailed} carrying {@code speculation} and {@code cause}.
     */
    public static io.aurora4j.notify.RollbackEvent rollback(Group group, Checkpoint checkpoint, Throwable cause,
                                                            io.aurora4j.notify.SpeculationInfo speculation) {
        return access().rollback(group, checkpoint, cause, speculation);
    }
}
