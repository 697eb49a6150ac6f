package io.aurora4j.txn;

/**
 * The cause of the event a durable group publishes after recovering from its store: the group's state is that
 * of durable checkpoint {@link #checkpointId()}. Not thrown; carried by a {@link io.aurora4j.notify.RollbackEvent}
 * so restore listeners can tell a restore from a rollback. Has no stack trace.
 */
public final class RestoredFromStore extends Throwable {
    private static final long serialVersionUID = 1L;
    private final long checkpointId;

    RestoredFromStore(String store, long checkpointId) {
        super("restored from store " + store + " at durable checkpoint #" + checkpointId, null, false, false);
        this.checkpointId = checkpointId;
    }

    /** The id of the durable checkpoint the state was restored to. */
    public long checkpointId() {
        return checkpointId;
    }
}
