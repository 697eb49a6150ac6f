package io.aurora4j.txn;

import io.aurora4j.notify.ListenerErrorHandler;
import io.aurora4j.notify.RollbackListener;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Configures and opens a {@link Group}: {@link Group#builder(String)} makes one. Each setting may be given once; a
 * second call fails naming the value already set. The settings are kept in one value ({@code GroupSettings}),
 * checked where each is given and resolved once when the group opens, so a fork or a reopen copies the value, not a
 * list of setters.
 *
 * <p>Not thread-safe: one thread builds; {@link #open()} may be called once per builder, and no setting may change
 * after it (an {@link IllegalStateException} naming the group).
 */
public final class GroupBuilder {
    final GroupSettings s;

    GroupBuilder(String name) {
        this.s = new GroupSettings(name);
    }

    /** The builder {@link Group#open(io.aurora4j.store.Store)} opens: the group {@code store} holds, recovered. */
    static GroupBuilder recovering(io.aurora4j.store.Store store) {
        Objects.requireNonNull(store, "store");
        var last = store.lastDurable();
        // One StoredState for the name and the recovery: each copies the checkpoint's index, O(pages).
        io.aurora4j.store.spi.StoredState state = last.isEmpty() ? null : store.state(last.get().id());
        String stored = state == null ? null : ObjectFormat.storedGroupName(state);
        if (stored == null) {
            throw new IllegalArgumentException("store " + store.describe() + " holds no durable checkpoint of any group:"
                    + " create the group with Group.builder(name).store(store).open()");
        }
        GroupBuilder b = new GroupBuilder(stored).store(store);
        b.s.recoveredState = state;
        return b;
    }

    /** How many checkpoints {@link Group#history()} keeps (default 64); older ones are discarded and their memory released. */
    public GroupBuilder retainCheckpoints(int count) {
        s.retainCheckpoints(count);
        return this;
    }

    /** How many attempts a conflicting transaction makes before {@link TransactionConflictException} (default 10,000). */
    public GroupBuilder maxRetries(int attempts) {
        s.maxRetries(attempts);
        return this;
    }

    /** Where rollback listeners run (default: a virtual thread per delivery). */
    public GroupBuilder notificationExecutor(Executor executor) {
        s.notificationExecutor(executor);
        return this;
    }

    /** Told when a rollback listener throws (default: a warning through System.Logger). */
    public GroupBuilder listenerErrorHandler(ListenerErrorHandler handler) {
        s.listenerErrorHandler(handler);
        return this;
    }

    /** Told when an afterCommit/afterRollback hook throws (default: a warning through System.Logger). */
    public GroupBuilder hookErrorHandler(Consumer<Throwable> handler) {
        s.hookErrorHandler(handler);
        return this;
    }

    /** Where memory of checkpoints that left retention is released (default: a virtual thread per release). */
    public GroupBuilder maintenanceExecutor(Executor executor) {
        s.maintenanceExecutor(executor);
        return this;
    }

    /**
     * Makes the group durable in {@code store}: checkpoints are written to it in the background, every
     * {@link #checkpointEvery period}, only what changed since the previous one. If the store already holds
     * this group, {@link #open()} recovers the state of its last durable checkpoint first. The group owns the
     * store from then on and closes it when it closes.
     */
    public GroupBuilder store(io.aurora4j.store.Store store) {
        s.store(store);
        return this;
    }

    /**
     * How often a durable group takes and writes a checkpoint when something changed (default 10 ms: Aurora's
     * 100 Hz), on a flusher thread of its own. {@link Duration#ZERO} turns periodic checkpoints off: then
     * checkpoints become durable only through {@link Group#barrier()}, which writes on the calling thread.
     */
    public GroupBuilder checkpointEvery(Duration period) {
        s.checkpointEvery(period);
        return this;
    }

    /** How {@link TRef} values and {@link TMap} keys and values are written to the store and into images (default {@code Codecs.defaults()}). */
    public GroupBuilder codecs(io.aurora4j.store.Codecs codecs) {
        s.codecs(codecs);
        return this;
    }

    /**
     * Registers a listener before the group opens, so that it hears the restore event of a recovery (its typed
     * cause is a {@link RollbackCause.RestoredFromStore}) as well as every later rollback: the place to reopen what
     * lives outside the group and to replay {@link Group#log durable logs}. See {@link #onGroupRestore} for the typed form.
     */
    public GroupBuilder onRestore(RollbackListener listener) {
        s.onRestore(listener);
        return this;
    }

    /** As {@link #onRestore}, typed: the listener gets the group, its {@link Checkpoint} and a {@link RollbackCause}. */
    public GroupBuilder onGroupRestore(GroupRollbackListener listener) {
        s.onGroupRestore(listener);
        return this;
    }

    /**
     * Whether the group registers a {@link GroupMXBean} with the platform MBean server while it is open, under
     * {@code io.aurora4j:type=Group,name=<name>}. Default {@code true}, or {@code false} when the JVM runs with
     * {@code -Dio.aurora4j.jmx=false} (for a whole process: model-checking harnesses that open thousands of groups).
     */
    public GroupBuilder jmx(boolean enabled) {
        s.jmx(enabled);
        return this;
    }

    /**
     * Opens the group; with a {@link #store}, recovers it first.
     *
     * @throws IllegalArgumentException if the store holds another group
     * @throws io.aurora4j.store.StoreException if the store cannot be read
     */
    public Group open() {
        io.aurora4j.store.spi.StoredState recovered = s.recoveredState;
        s.opening();
        Group g = new Group(s);
        if (g.durability instanceof StoreDurability sd) {
            g.rollbacks.restoreFromStore(sd, recovered);
        }
        if (s.jmx) {
            g.unregisterJmx = GroupJmx.register(g);
        }
        return g;
    }
}
