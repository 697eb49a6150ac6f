package io.aurora4j.txn;

import io.aurora4j.notify.CheckpointInfo;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A consistent cut of a group's state between commits, taken by {@link Group#checkpoint()} in O(1).
 * It contains every write of every transaction that committed before {@code checkpoint()} was called and
 * none of any transaction that began committing after it returned.
 *
 * <table class="striped">
 *   <caption>What each operation does in each state</caption>
 *   <tr><th>operation</th><th>retained</th><th>discarded (left retention, or undone by a rollback to an older checkpoint)</th></tr>
 *   <tr><td>{@link #view()} and reads through a view</td><td>values as of the checkpoint</td><td>{@link IllegalStateException} naming the checkpoint</td></tr>
 *   <tr><td>{@link Group#rollback(Checkpoint)}</td><td>restores the group to it</td><td>{@link IllegalStateException}</td></tr>
 *   <tr><td>{@link #durable()}</td><td colspan="2">in a group without a durable store: already complete (memory is the group's durability)</td></tr>
 *   <tr><td>{@link #id()}, {@link #label()}, {@link #takenAt()}</td><td colspan="2">always answer</td></tr>
 * </table>
 *
 * <p>Checkpoints of one group are ordered by {@link #id()}, which grows and is never reused, not even
 * after a rollback discards later checkpoints. Immutable apart from its retained flag; thread-safe.
 */
public final class Checkpoint implements CheckpointInfo, Comparable<Checkpoint> {
    private final Group group;
    private final long id;
    private final String label;
    private final Instant takenAt;
    /** The epoch this checkpoint closed: its state is the state at that epoch's end. */
    final Epoch closedEpoch;
    private volatile boolean discarded;
    /** Pins held by pending speculations (TxnSpi.pinnedCheckpoint); a pinned checkpoint stays retained. Guarded by the group's admin lock. */
    int pins;
    private volatile CompletableFuture<Checkpoint> durable;

    Checkpoint(Group group, long id, String label, Epoch closedEpoch, boolean durableGroup) {
        this.group = group;
        this.durable = durableGroup ? new CompletableFuture<>() : null;
        this.id = id;
        this.label = label;
        this.closedEpoch = closedEpoch;
        this.takenAt = Instant.now();
    }

    /** The checkpoint's number in its group: 1, 2, 3, ... */
    @Override
    public long id() {
        return id;
    }

    /** The label given to {@link Group#checkpoint(String)}, if any. */
    @Override
    public Optional<String> label() {
        return Optional.ofNullable(label);
    }

    @Override
    public String groupName() {
        return group.name();
    }

    /** The group this checkpoint belongs to. */
    public Group group() {
        return group;
    }

    /** When it was taken. */
    public Instant takenAt() {
        return takenAt;
    }

    /** Whether it can still be viewed and rolled back to. */
    public boolean isRetained() {
        return !discarded;
    }

    /**
     * Read-only access to state as of this checkpoint, without rolling back. Reads through the view fail
     * with {@link IllegalStateException} once the checkpoint is discarded.
     */
    public CheckpointView view() {
        checkRetained();
        return new CheckpointView(this);
    }

    /**
     * Completes when this checkpoint, or a later one of the same group (which contains every commit this one
     * contains), is on stable storage. A group without a durable store keeps its checkpoints in memory only,
     * so the future is already complete. In a durable group it completes exceptionally with
     * {@link io.aurora4j.store.StoreFailedException} if the store failed first, with {@link UnwritableValueException}
     * (naming the object) if the flush covering it met a value that cannot be written — the group stays durable and
     * a later checkpoint without that value is written as usual — and with
     * {@link IllegalStateException} if a rollback to an older checkpoint discarded this one first. The future
     * returned is a copy: completing it does not affect the checkpoint.
     */
    public CompletableFuture<Checkpoint> durable() {
        CompletableFuture<Checkpoint> f = durable;
        if (f == null) {
            f = CompletableFuture.completedFuture(this);
            durable = f;
            return f;
        }
        return f.copy();
    }

    /** Whether {@link #durable()} has completed normally. */
    boolean isDurable() {
        CompletableFuture<Checkpoint> f = durable;
        return f == null || (f.isDone() && !f.isCompletedExceptionally());
    }

    void completeDurable() {
        CompletableFuture<Checkpoint> f = durable;
        if (f != null) {
            f.complete(this);
        }
    }

    void failDurable(Throwable cause) {
        CompletableFuture<Checkpoint> f = durable;
        if (f != null) {
            f.completeExceptionally(cause);
        }
    }

    void markDiscarded() {
        discarded = true;
    }

    void checkRetained() {
        if (discarded) {
            throw new IllegalStateException(this + " is no longer retained (it left the group's retention or a rollback to an older checkpoint discarded it)");
        }
    }

    @Override
    public int compareTo(Checkpoint other) {
        int c = Long.compare(id, other.id);
        return c != 0 ? c : group.name().compareTo(other.group.name());
    }

    @Override
    public String toString() {
        return "checkpoint #" + id + (label == null ? "" : " '" + label + "'") + " of group '" + group.name() + "'";
    }
}
